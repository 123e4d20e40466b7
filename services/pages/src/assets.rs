//! The pages' static files — their stylesheet and script, and Leaflet for the maps — built into the binary
//! and served under a content hash, so browsers may keep them for a year. No CDN is ever used.

use std::sync::OnceLock;

use sha2::{Digest, Sha256};
use warp::http::{header, HeaderValue, StatusCode};
use warp::reply::Response;
use warp::Reply;

/// A file served under `/assets/{hash}/{name}`.
struct Asset {
    name: &'static str,
    content_type: &'static str,
    bytes: &'static [u8],
}

const ASSETS: &[Asset] = &[
    Asset {
        name: "app.css",
        content_type: "text/css; charset=utf-8",
        bytes: include_bytes!("../assets/app.css"),
    },
    Asset {
        name: "app.js",
        content_type: "text/javascript; charset=utf-8",
        bytes: include_bytes!("../assets/app.js"),
    },
    Asset {
        name: "leaflet.js",
        content_type: "text/javascript; charset=utf-8",
        bytes: include_bytes!("../assets/vendor/leaflet/leaflet.js"),
    },
    Asset {
        name: "leaflet.css",
        content_type: "text/css; charset=utf-8",
        bytes: include_bytes!("../assets/vendor/leaflet/leaflet.css"),
    },
];

/// The short content hash of every asset, computed once.
fn hashes() -> &'static [String] {
    static HASHES: OnceLock<Vec<String>> = OnceLock::new();
    HASHES.get_or_init(|| {
        ASSETS
            .iter()
            .map(|asset| {
                Sha256::digest(asset.bytes)[..6]
                    .iter()
                    .map(|b| format!("{b:02x}"))
                    .collect()
            })
            .collect()
    })
}

/// The URL of the asset `name` (one of the files above).
pub fn url(name: &str) -> String {
    let position = ASSETS
        .iter()
        .position(|a| a.name == name)
        .unwrap_or_else(|| panic!("no asset named {name}"));
    format!("/assets/{}/{name}", hashes()[position])
}

/// `GET /assets/{hash}/{name}`: the asset, cached for a year (its URL changes when it does).
pub fn serve(hash: String, name: String) -> Response {
    let found = ASSETS
        .iter()
        .zip(hashes())
        .find(|(asset, asset_hash)| asset.name == name && **asset_hash == hash);
    let Some((asset, _)) = found else {
        return warp::reply::with_status("no such file", StatusCode::NOT_FOUND).into_response();
    };
    let mut response = Response::new(asset.bytes.into());
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(asset.content_type));
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=31536000, immutable"),
    );
    response
}

#[cfg(test)]
mod tests {
    #[test]
    fn assets_are_served_only_under_their_own_hash() {
        let url = super::url("app.css");
        let mut parts = url.trim_start_matches("/assets/").split('/');
        let (hash, name) = (parts.next().unwrap(), parts.next().unwrap());
        let response = super::serve(hash.into(), name.into());
        assert_eq!(response.status(), 200);
        assert!(response.headers()["cache-control"]
            .to_str()
            .unwrap()
            .contains("immutable"));
        assert_eq!(super::serve("0000".into(), name.into()).status(), 404);
        assert_eq!(super::serve(hash.into(), "secret.txt".into()).status(), 404);
    }
}
