//! A region's GeoJSON geometry, as `POST /api/v1/regions` reads it.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(value) = serde_json::from_slice::<serde_json::Value>(data) {
        let _ = directory::geometry::area_from_geojson("geometry", &value);
    }
});
