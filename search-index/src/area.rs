//! Coarse areas for locations that may not be shown exactly: every point snaps to the centre of a cell of
//! about 2 km, so what a viewer sees (and what their distances and filters use) never narrows a safe space
//! below its cell.

/// Cell height in degrees of latitude (about 2 km).
const CELL_DEGREES_LATITUDE: f64 = 0.018;

/// The centre of the ~2 km cell that holds `(latitude, longitude)`. Cells are about square: their width in
/// degrees of longitude grows with latitude, fixed per row of cells so every point of a cell maps to the
/// same centre.
pub fn coarse_point(latitude: f64, longitude: f64) -> (f64, f64) {
    let row = (latitude / CELL_DEGREES_LATITUDE).floor();
    let centre_latitude = (row + 0.5) * CELL_DEGREES_LATITUDE;
    let width = CELL_DEGREES_LATITUDE / centre_latitude.to_radians().cos().max(0.01);
    let column = (longitude / width).floor();
    let centre_longitude = ((column + 0.5) * width).clamp(-180.0, 180.0);
    (centre_latitude.clamp(-90.0, 90.0), centre_longitude)
}

#[cfg(test)]
mod tests {
    use super::coarse_point;
    use geo::{Distance, Haversine, Point};

    fn metres(a: (f64, f64), b: (f64, f64)) -> f64 {
        Haversine.distance(Point::new(a.1, a.0), Point::new(b.1, b.0))
    }

    #[test]
    fn a_point_moves_to_its_cell_centre_within_about_1_5_km() {
        let coventry = (52.40656, -1.51217);
        let coarse = coarse_point(coventry.0, coventry.1);
        assert_ne!(coarse, coventry);
        assert!(metres(coventry, coarse) < 1_500.0, "{}", metres(coventry, coarse));
    }

    #[test]
    fn every_point_of_a_cell_gives_the_same_centre() {
        let centre = coarse_point(53.38297, -1.4659);
        for step in 0..50 {
            let nudge = f64::from(step) * 0.0001;
            let nearby = coarse_point(centre.0 - 0.002 + nudge * 0.05, centre.1 + 0.002 - nudge * 0.05);
            assert_eq!(nearby, centre);
        }
        assert_eq!(coarse_point(centre.0, centre.1), centre);
    }

    #[test]
    fn neighbouring_cells_are_about_2_km_apart() {
        let a = coarse_point(51.5, -0.12);
        let b = coarse_point(51.5 + 0.018, -0.12);
        let distance = metres(a, b);
        assert!((1_900.0..2_100.0).contains(&distance), "{distance}");
    }
}
