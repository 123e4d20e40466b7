//! UK towns with coordinates and population (GeoNames, CC BY 4.0; see `shared/data/README.md`), built into
//! the binary: demo data, "near a town" and tests use them without any file at run time.

use std::sync::OnceLock;

/// A populated place.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct Place {
    pub geonameid: u32,
    pub name: String,
    pub latitude: f64,
    pub longitude: f64,
    pub population: u64,
    pub nation: String,
}

const PLACES_CSV: &str = include_str!("../data/gb_places.csv");

/// Every place, largest first.
pub fn all() -> &'static [Place] {
    static PLACES: OnceLock<Vec<Place>> = OnceLock::new();
    PLACES.get_or_init(|| {
        let mut places: Vec<Place> = csv::Reader::from_reader(PLACES_CSV.as_bytes())
            .deserialize()
            .collect::<Result<_, _>>()
            .expect("the built-in places file is valid CSV");
        places.sort_by_key(|p| std::cmp::Reverse(p.population));
        places
    })
}

/// The largest place with this name (case-insensitive).
pub fn find(name: &str) -> Option<&'static Place> {
    let name = name.trim();
    all().iter().find(|p| p.name.eq_ignore_ascii_case(name))
}

/// The place nearest to a point (by an equirectangular approximation, ample at town scale).
pub fn nearest(latitude: f64, longitude: f64) -> &'static Place {
    let squared_distance = |p: &Place| {
        let x = (p.longitude - longitude) * ((p.latitude + latitude) / 2.0).to_radians().cos();
        let y = p.latitude - latitude;
        x * x + y * y
    };
    all()
        .iter()
        .min_by(|a, b| squared_distance(a).total_cmp(&squared_distance(b)))
        .expect("the places file is not empty")
}

#[cfg(test)]
mod tests {
    #[test]
    fn finds_real_towns_with_their_coordinates() {
        assert_eq!(super::all().len(), 4638);
        let coventry = super::find("coventry").unwrap();
        assert!((coventry.latitude - 52.40656).abs() < 1e-6);
        assert!((coventry.longitude + 1.51217).abs() < 1e-6);
        assert!(super::find("Atlantis").is_none());
        assert_eq!(super::nearest(52.41, -1.51).name, "Coventry");
        assert_eq!(super::nearest(51.48, -3.18).nation, "Wales");
    }
}
