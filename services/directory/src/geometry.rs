//! GeoJSON areas from outside (stored regions, polygons posted to a search), checked and turned into `geo`
//! polygons: a bad shape is a clear 422, never a panic.

use geo::{Coord, LineString, MultiPolygon, Polygon};
use shared::FieldError;

/// The most vertices an area may have, over all its rings.
const MAX_VERTICES: usize = 20_000;

/// A GeoJSON Polygon or MultiPolygon (bare, or as a Feature) as a multipolygon in WGS 84.
pub fn area_from_geojson(field: &str, value: &serde_json::Value) -> Result<MultiPolygon<f64>, FieldError> {
    let invalid = |message: String| FieldError::new(field, message);
    let geojson: geojson::GeoJson =
        serde_json::from_value(value.clone()).map_err(|e| invalid(format!("not GeoJSON: {e}")))?;
    let geometry = match geojson {
        geojson::GeoJson::Geometry(geometry) => geometry,
        geojson::GeoJson::Feature(feature) => feature
            .geometry
            .ok_or_else(|| invalid("the Feature has no geometry".into()))?,
        geojson::GeoJson::FeatureCollection(_) => {
            return Err(invalid(
                "send one Polygon or MultiPolygon, not a FeatureCollection".into(),
            ))
        }
    };
    let polygons = match geometry.value {
        geojson::GeometryValue::Polygon { coordinates } => vec![coordinates],
        geojson::GeometryValue::MultiPolygon { coordinates } => coordinates,
        _ => return Err(invalid("the geometry must be a Polygon or a MultiPolygon".into())),
    };
    if polygons.is_empty() {
        return Err(invalid("the MultiPolygon has no polygons".into()));
    }
    let vertices: usize = polygons.iter().flatten().map(Vec::len).sum();
    if vertices > MAX_VERTICES {
        return Err(invalid(format!("at most {MAX_VERTICES} vertices")));
    }
    polygons
        .into_iter()
        .map(|rings| polygon(&rings).map_err(invalid))
        .collect::<Result<Vec<_>, _>>()
        .map(MultiPolygon)
}

fn polygon(rings: &[Vec<geojson::Position>]) -> Result<Polygon<f64>, String> {
    let mut rings = rings.iter().map(|ring| ring_of(ring));
    let exterior = rings.next().ok_or("a polygon needs an outer ring")??;
    let interiors = rings.collect::<Result<Vec<_>, _>>()?;
    Ok(Polygon::new(exterior, interiors))
}

fn ring_of(positions: &[geojson::Position]) -> Result<LineString<f64>, String> {
    if positions.len() < 4 {
        return Err("each ring needs at least 4 positions (the first repeated last)".into());
    }
    let coords = positions
        .iter()
        .map(|position| match position.as_slice() {
            [longitude, latitude, ..]
                if (-180.0..=180.0).contains(longitude) && (-90.0..=90.0).contains(latitude) =>
            {
                Ok(Coord {
                    x: *longitude,
                    y: *latitude,
                })
            }
            [_, _, ..] => Err("positions are [longitude, latitude] within -180..180 and -90..90".to_string()),
            _ => Err("each position needs a longitude and a latitude".to_string()),
        })
        .collect::<Result<Vec<_>, _>>()?;
    if coords.first() != coords.last() {
        return Err("each ring must end where it starts".into());
    }
    Ok(LineString::new(coords))
}

#[cfg(test)]
mod tests {
    use super::area_from_geojson;
    use geo::{Contains, Point};
    use serde_json::json;

    #[test]
    fn a_polygon_around_coventry_contains_it() {
        let square = json!({"type": "Polygon", "coordinates": [[[-1.6, 52.3], [-1.4, 52.3], [-1.4, 52.5], [-1.6, 52.5], [-1.6, 52.3]]]});
        let area = area_from_geojson("within", &square).unwrap();
        assert!(area.contains(&Point::new(-1.51217, 52.40656)));
        assert!(!area.contains(&Point::new(-1.4659, 53.38297)));
        let feature = json!({"type": "Feature", "properties": {}, "geometry": square});
        assert_eq!(area_from_geojson("within", &feature).unwrap(), area);
    }

    #[test]
    fn bad_shapes_are_refused_with_a_reason() {
        for (shape, reason) in [
            (json!({"type": "Point", "coordinates": [0.0, 0.0]}), "Polygon"),
            (
                json!({"type": "Polygon", "coordinates": [[[0.0, 0.0], [1.0, 0.0], [0.0, 0.0]]]}),
                "at least 4",
            ),
            (
                json!({"type": "Polygon", "coordinates": [[[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.5, 0.5]]]}),
                "end where",
            ),
            (
                json!({"type": "Polygon", "coordinates": [[[0.0, 0.0], [200.0, 0.0], [1.0, 1.0], [0.0, 0.0]]]}),
                "within",
            ),
            (json!({"type": "Polygon"}), "GeoJSON"),
            (json!("nonsense"), "GeoJSON"),
        ] {
            let error = area_from_geojson("within", &shape).unwrap_err();
            assert!(error.message.contains(reason), "{shape}: {}", error.message);
        }
    }
}
