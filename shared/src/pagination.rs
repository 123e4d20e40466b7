//! Cursor pagination: `?limit=&cursor=` in, `{items, next_cursor}` out. A cursor is an opaque token naming
//! the last item of the previous page, so pages stay stable while rows are added.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::error::ApiError;

pub const DEFAULT_LIMIT: i64 = 20;
pub const MAX_LIMIT: i64 = 100;

/// The query parameters of a paginated list.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// Items per page, 1 to 100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
    /// `next_cursor` from the previous page.
    pub cursor: Option<String>,
}

/// A validated page request: how many, and after which key.
#[derive(Debug, Clone)]
pub struct PageRequest {
    pub limit: i64,
    pub after: Option<String>,
}

impl PageParams {
    pub fn validate(&self) -> Result<PageRequest, ApiError> {
        let limit = self.limit.unwrap_or(DEFAULT_LIMIT);
        if !(1..=MAX_LIMIT).contains(&limit) {
            return Err(ApiError::invalid(
                "limit",
                format!("use a limit from 1 to {MAX_LIMIT}"),
            ));
        }
        let after = match &self.cursor {
            None => None,
            Some(cursor) => Some(
                URL_SAFE_NO_PAD
                    .decode(cursor)
                    .ok()
                    .and_then(|bytes| String::from_utf8(bytes).ok())
                    .ok_or_else(|| {
                        ApiError::BadRequest("the cursor is not one this service gave out".into())
                    })?,
            ),
        };
        Ok(PageRequest { limit, after })
    }
}

impl PageRequest {
    /// The key after which this page starts, parsed as `T`.
    pub fn after<T: std::str::FromStr>(&self) -> Result<Option<T>, ApiError> {
        self.after
            .as_deref()
            .map(|raw| {
                raw.parse()
                    .map_err(|_| ApiError::BadRequest("the cursor is not one this service gave out".into()))
            })
            .transpose()
    }

    /// How many rows to fetch: one more than the page, to know whether another page follows.
    pub fn fetch(&self) -> i64 {
        self.limit + 1
    }
}

/// The opaque cursor naming `key` (decoded again by `PageParams::validate`).
pub fn cursor(key: &str) -> String {
    URL_SAFE_NO_PAD.encode(key)
}

/// One page of a list.
#[derive(Debug, Serialize, ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Pass as `cursor` for the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

impl<T> Page<T> {
    /// Builds a page from up to `request.fetch()` rows, keyed by `key` for the next cursor.
    pub fn from_rows(mut items: Vec<T>, request: &PageRequest, key: impl Fn(&T) -> String) -> Self {
        let more = items.len() as i64 > request.limit;
        items.truncate(request.limit as usize);
        let next_cursor = more
            .then(|| items.last().map(|last| cursor(&key(last))))
            .flatten();
        Page { items, next_cursor }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_page_carries_a_cursor_that_round_trips() {
        let request = PageParams {
            limit: Some(2),
            cursor: None,
        }
        .validate()
        .unwrap();
        let page = Page::from_rows(vec![1, 2, 3], &request, |n| n.to_string());
        assert_eq!(page.items, vec![1, 2]);
        let next = PageParams {
            limit: Some(2),
            cursor: page.next_cursor,
        }
        .validate()
        .unwrap();
        assert_eq!(next.after::<i32>().unwrap(), Some(2));
    }

    #[test]
    fn the_last_page_has_no_cursor_and_bad_input_is_refused() {
        let request = PageParams::default().validate().unwrap();
        assert!(Page::from_rows(vec![1], &request, |n: &i32| n.to_string())
            .next_cursor
            .is_none());
        assert!(PageParams {
            limit: Some(0),
            cursor: None
        }
        .validate()
        .is_err());
        assert!(PageParams {
            limit: None,
            cursor: Some("!!".into())
        }
        .validate()
        .is_err());
    }
}
