//! Following the outbox: positions committed with the changes, survival of a reopening, exactly-once
//! application of batches read again.

use crate::audience::Audience;
use crate::document::tests::organisation;
use crate::error::SearchIndexError;
use crate::index::testing::upserts;
use crate::index::DirectoryIndex;
use crate::outbox::{Change, OutboxEntry};
use crate::request::SearchRequest;

fn count(index: &DirectoryIndex, text: &str) -> u64 {
    let mut request = SearchRequest::new(Audience::Privileged);
    request.text = Some(text.to_string());
    index.search(&request).expect("the search runs").total
}

#[test]
fn position_and_organisations_survive_reopening_and_batches_apply_once() {
    let directory = tempfile::tempdir().expect("a temporary directory");
    let batch = upserts([
        organisation("a", "Leeds Housing Group", ""),
        organisation("b", "Bradford Housing Forum", ""),
        organisation("c", "Hull Welcome", ""),
    ]);
    {
        let index = DirectoryIndex::open_or_create(directory.path()).expect("the index opens");
        assert_eq!(index.last_applied_position().expect("metas read"), None);
        assert_eq!(index.apply(&batch).expect("the batch applies"), 3);
        assert_eq!(count(&index, "housing"), 2, "searchable as soon as applied");
    }
    let index = DirectoryIndex::open_or_create(directory.path()).expect("the index reopens");
    assert_eq!(index.last_applied_position().expect("metas read"), Some(3));
    assert_eq!(index.organisation_count(), 3);

    assert_eq!(index.apply(&batch).expect("the batch applies again"), 0);
    assert_eq!(index.organisation_count(), 3);

    let overlapping = vec![
        batch[2].clone(),
        OutboxEntry {
            position: 4,
            change: Change::Upsert(organisation("a", "Leeds Tenants Union", "")),
        },
        OutboxEntry {
            position: 5,
            change: Change::Delete {
                organisation_id: "b".to_string(),
            },
        },
    ];
    assert_eq!(index.apply(&overlapping).expect("the new part applies"), 2);
    assert_eq!(index.last_applied_position().expect("metas read"), Some(5));
    assert_eq!(index.organisation_count(), 2);
    assert_eq!(count(&index, "housing"), 0);
    assert_eq!(count(&index, "tenants"), 1);
}

#[test]
fn upserting_the_same_organisation_twice_keeps_one() {
    let index = DirectoryIndex::in_memory().expect("an index in memory");
    let first = OutboxEntry {
        position: 1,
        change: Change::Upsert(organisation("a", "Leeds Housing Group", "")),
    };
    let second = OutboxEntry {
        position: 2,
        ..first.clone()
    };
    index.apply(&[first, second]).expect("the batch applies");
    assert_eq!(index.organisation_count(), 1);
}

#[test]
fn entries_out_of_order_are_refused() {
    let index = DirectoryIndex::in_memory().expect("an index in memory");
    let mut batch = upserts([organisation("a", "A", ""), organisation("b", "B", "")]);
    batch.reverse();
    assert!(matches!(
        index.apply(&batch),
        Err(SearchIndexError::OutOfOrder { previous: 2, next: 1 })
    ));
    assert_eq!(index.last_applied_position().expect("metas read"), None);
}

#[test]
fn a_rebuild_fills_a_fresh_directory_as_of_a_position() {
    let directory = tempfile::tempdir().expect("a temporary directory");
    let organisations = [
        organisation("a", "Leeds Housing Group", ""),
        organisation("b", "Hull Welcome", ""),
    ];
    let mut reported = Vec::new();
    let index = DirectoryIndex::rebuild(directory.path(), organisations.clone(), 41, |added| {
        reported.push(added)
    })
    .expect("the rebuild runs");
    assert_eq!(
        (
            index.organisation_count(),
            index.last_applied_position().expect("metas read")
        ),
        (2, Some(41))
    );
    assert_eq!(reported, [2]);
    drop(index);
    assert!(
        DirectoryIndex::rebuild(directory.path(), organisations, 42, |_| ()).is_err(),
        "never over a live index"
    );
}
