//! Recent search answers, kept until the index changes. Organisers repeat the same searches (a town, a
//! theme, the words of a campaign) far more often than the directory changes, and one search's answer for
//! one generation of the index and one audience is the same for everyone in that audience; so a repeated
//! search costs a lookup, and any commit to the index (a saved profile) makes every kept answer go.

use std::collections::HashMap;
use std::sync::Mutex;

use bytes::Bytes;
use search_index::SearchRequest;

/// Answers kept at most; when full, they all go (the next ones are the popular ones again).
const CAPACITY: usize = 512;
/// Requests longer than this when written out (large posted areas) are not kept.
const LONGEST_REQUEST: usize = 4_096;
/// Answers longer than this (long pages, exports) are not kept, so that what is kept stays small (32 MiB
/// at most) whatever anyone asks for.
const LONGEST_ANSWER: usize = 64 * 1024;

/// The state of the index an answer was found in: its generation's name and the reader's generation.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct IndexVersion {
    pub generation: String,
    pub reader: u64,
}

/// Answers as they were sent (JSON), so a repeated search is neither searched nor written out again.
#[derive(Default)]
pub struct RecentAnswers {
    kept: Mutex<Kept>,
}

#[derive(Default)]
struct Kept {
    version: IndexVersion,
    answers: HashMap<String, Bytes>,
}

impl RecentAnswers {
    /// How `request` is known here (its audience included), or `None` when it is not worth keeping.
    pub fn key(request: &SearchRequest) -> Option<String> {
        let key = format!("{request:?}");
        (key.len() <= LONGEST_REQUEST).then_some(key)
    }

    /// The answer kept for `key`, found in the index at `version`.
    pub fn get(&self, version: &IndexVersion, key: &str) -> Option<Bytes> {
        let kept = self.kept.lock().expect("the answers lock is never poisoned");
        if kept.version != *version {
            return None;
        }
        kept.answers.get(key).cloned()
    }

    /// Keeps `answer`, found in the index at `version`, unless it is a long one; answers of any other
    /// version go.
    pub fn keep(&self, version: IndexVersion, key: String, answer: &Bytes) {
        if answer.len() > LONGEST_ANSWER {
            return;
        }
        let mut kept = self.kept.lock().expect("the answers lock is never poisoned");
        if kept.version != version || kept.answers.len() >= CAPACITY {
            kept.answers.clear();
            kept.version = version;
        }
        kept.answers.insert(key, answer.clone());
    }
}

#[cfg(test)]
mod tests {
    use bytes::Bytes;
    use search_index::{Audience, SearchRequest};

    use super::{IndexVersion, RecentAnswers};

    fn version(reader: u64) -> IndexVersion {
        IndexVersion {
            generation: "generation-a".into(),
            reader,
        }
    }

    fn answer(total: u64) -> Bytes {
        Bytes::from(format!("{{\"total\":{total}}}"))
    }

    #[test]
    fn an_answer_is_kept_for_its_audience_until_the_index_changes() {
        let answers = RecentAnswers::default();
        let mut public = SearchRequest::new(Audience::Public);
        public.text = Some("housing".into());
        let mut network = public.clone();
        network.audience = Audience::Network;
        let key = RecentAnswers::key(&public).unwrap();
        answers.keep(version(1), key.clone(), &answer(7));

        assert_eq!(answers.get(&version(1), &key), Some(answer(7)));
        assert_eq!(
            answers.get(&version(1), &RecentAnswers::key(&network).unwrap()),
            None,
            "another audience's answer is never given"
        );
        assert_eq!(answers.get(&version(2), &key), None, "a commit makes it go");
        let rebuilt = IndexVersion {
            generation: "generation-b".into(),
            reader: 1,
        };
        assert_eq!(answers.get(&rebuilt, &key), None, "so does a rebuild");
        answers.keep(version(2), "other".into(), &answer(1));
        assert_eq!(answers.get(&version(1), &key), None);
    }

    #[test]
    fn long_answers_are_not_kept() {
        let answers = RecentAnswers::default();
        let long = Bytes::from(vec![b' '; super::LONGEST_ANSWER + 1]);
        answers.keep(version(1), "long".into(), &long);
        assert_eq!(answers.get(&version(1), "long"), None);
        let longest = long.slice(..super::LONGEST_ANSWER);
        answers.keep(version(1), "long".into(), &longest);
        assert_eq!(answers.get(&version(1), "long"), Some(longest));
    }
}
