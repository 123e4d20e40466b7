//! A quick test of points against a search circle: a flat-earth distance settles every point but those
//! within 0.2% of the radius, which alone need the exact test (haversine), so the edge of a circle costs a
//! few multiplications per location instead of four trigonometric functions.

use crate::cells::{unpack_radians, CellBounds};
use crate::document::Coordinates;

/// How sure the quick test is about a point.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Verdict {
    Inside,
    Outside,
    /// Too near the edge: the exact test decides.
    Unsure,
}

/// Points are settled only when their flat-earth distance is this share of the radius inside or outside
/// it. Within the limits below that distance differs from the haversine by under 0.04% (0.037% at most,
/// near 70° and 200 km; the test holds it under 0.06%), so the margin is over three times the error, and
/// only the points within 0.2% of the edge need the exact test.
const MARGIN: f64 = 0.002;
/// The quick test serves circles up to this radius, lying within this latitude of the equator (the
/// flat-earth error grows with the distance and towards the poles) and not across the antimeridian.
const MAX_RADIUS_KM: f64 = 200.0;
const MAX_LATITUDE: f64 = 70.0;

/// A circle the quick test serves.
#[derive(Clone, Debug)]
pub(crate) struct QuickCircle {
    centre: Coordinates,
    /// The centre, in radians.
    latitude: f64,
    longitude: f64,
    /// Cosine and sine of the centre's latitude.
    cos: f64,
    sin: f64,
    /// Squared angles (radians²) within which a point is surely inside, beyond which surely outside.
    inside: f64,
    outside: f64,
}

impl QuickCircle {
    /// The quick test of the circle of `radius_km` around `centre`, whose `bounds` hold it; `None` for a
    /// circle it cannot settle points of reliably (too wide, too near a pole, or across the antimeridian:
    /// there the exact test decides every point).
    pub(crate) fn new(centre: Coordinates, radius_km: f64, bounds: CellBounds) -> Option<Self> {
        let served = radius_km <= MAX_RADIUS_KM
            && bounds.south >= -MAX_LATITUDE
            && bounds.north <= MAX_LATITUDE
            && bounds.west <= bounds.east;
        if !served {
            return None;
        }
        let angle = radius_km * 1_000.0 / geo::Haversine.radius();
        let latitude = centre.latitude.to_radians();
        Some(QuickCircle {
            centre,
            latitude,
            longitude: centre.longitude.to_radians(),
            cos: latitude.cos(),
            sin: latitude.sin(),
            inside: (angle * (1.0 - MARGIN)).powi(2),
            outside: (angle * (1.0 + MARGIN)).powi(2),
        })
    }

    /// Settles `point`, anywhere, by its equirectangular distance, the longitude scaled by the cosine of
    /// the mean latitude (to first order from the centre's).
    pub(crate) fn verdict(&self, point: Coordinates) -> Verdict {
        let squared = self.squared_angle(point.latitude.to_radians(), point.longitude.to_radians());
        if squared <= self.inside {
            Verdict::Inside
        } else if squared >= self.outside {
            Verdict::Outside
        } else {
            Verdict::Unsure
        }
    }

    /// The verdict of a packed point (`cells::pack`), read straight from its bits, as two flags: surely
    /// inside, and unsure. A caller can combine them without branching: the points tested lie near the
    /// circle's edge, inside or outside as if by a coin toss, which a branch would mostly mispredict.
    pub(crate) fn packed_verdict(&self, packed: u64) -> (bool, bool) {
        let (latitude, longitude) = unpack_radians(packed);
        let squared = self.squared_angle(latitude, longitude);
        (
            squared <= self.inside,
            squared > self.inside && squared < self.outside,
        )
    }

    /// Whether every point of `bounds` lies farther than `km` from the centre, where a lower bound of
    /// `Cell::min_distance_km` without trigonometry shows it (`false` leaves the question open): that
    /// function's angle across meridians, asin(cos φ · sin g), is at least cos φ · (g − g³/6), as
    /// asin y ≥ y and sin g ≥ g − g³/6, while the far edge lies within 90° (where the sine still rises).
    pub(crate) fn surely_farther(&self, bounds: CellBounds, km: f64) -> bool {
        let (latitude_gap, longitude_gap) = bounds.gaps_from(self.centre);
        let far_edge = longitude_gap + (bounds.east - bounds.west);
        let across = if longitude_gap > 0.0 && far_edge <= 90.0 {
            let gap = longitude_gap.to_radians();
            self.cos * (gap - gap.powi(3) / 6.0)
        } else {
            0.0
        };
        // A hair below the bound, as `min_distance_km` keeps, against rounding.
        latitude_gap.to_radians().max(across) * geo::Haversine.radius() / 1_000.0 * (1.0 - 1e-9) > km
    }

    /// The square of the flat-earth angle (radians) from the centre to a point (in radians).
    fn squared_angle(&self, latitude: f64, longitude: f64) -> f64 {
        let north = latitude - self.latitude;
        let east = (longitude - self.longitude) * (self.cos - self.sin * north / 2.0);
        north * north + east * east
    }
}

#[cfg(test)]
mod tests {
    use geo::Destination;
    use rand::{Rng, SeedableRng};

    use super::{QuickCircle, Verdict, MAX_LATITUDE, MAX_RADIUS_KM};
    use crate::cells::{pack, unpack, Cell, LEVELS};
    use crate::document::Coordinates;
    use crate::geography::SearchArea;

    /// Random circles the quick test serves, each with points out to 1.3 times its radius in every
    /// direction.
    fn circles_and_points() -> Vec<(QuickCircle, Coordinates, f64, Vec<Coordinates>)> {
        let mut random = rand::rngs::StdRng::seed_from_u64(7);
        let mut circles = Vec::new();
        while circles.len() < 1_000 {
            let radius_km = random.gen_range(0.01..MAX_RADIUS_KM);
            let centre = Coordinates::new(
                random.gen_range(-MAX_LATITUDE..MAX_LATITUDE),
                random.gen_range(-179.0..179.0),
            );
            let area = SearchArea::Near { centre, radius_km };
            let Some(quick) = QuickCircle::new(centre, radius_km, area.bounds()) else {
                continue;
            };
            let points = (0..300)
                .map(|_| {
                    let reach = random.gen_range(0.0..1.3) * radius_km;
                    let bearing = random.gen_range(0.0..360.0);
                    let point = geo::Haversine.destination(centre.to_point(), bearing, reach * 1_000.0);
                    Coordinates::new(point.y(), point.x())
                })
                .collect();
            circles.push((quick, centre, radius_km, points));
        }
        circles
    }

    /// The flat-earth distance stays within 0.06% of the haversine wherever the quick test serves, so a
    /// margin of 1% settles no point wrongly; and the verdicts agree with the haversine, of points and of
    /// their packings.
    #[test]
    fn the_quick_verdict_agrees_with_the_haversine() {
        let (mut settled, mut tried) = (0, 0);
        for (quick, centre, radius_km, points) in circles_and_points() {
            for point in points {
                let distance = centre.distance_km(point);
                let radians = (point.latitude.to_radians(), point.longitude.to_radians());
                let flat =
                    quick.squared_angle(radians.0, radians.1).sqrt() * geo::Haversine.radius() / 1_000.0;
                assert!(
                    (flat - distance).abs() <= distance * 0.000_6 + 1e-9,
                    "{centre:?} {point:?}: {flat} km flat, {distance} km"
                );
                tried += 1;
                let packed = pack(point);
                let packed_distance = centre.distance_km(unpack(packed));
                match quick.packed_verdict(packed) {
                    (true, _) => assert!(packed_distance <= radius_km, "{centre:?} {radius_km} {point:?}"),
                    (false, false) => {
                        assert!(packed_distance > radius_km, "{centre:?} {radius_km} {point:?}")
                    }
                    (false, true) => {}
                }
                match quick.verdict(point) {
                    Verdict::Inside => assert!(distance <= radius_km, "{centre:?} {radius_km} {point:?}"),
                    Verdict::Outside => assert!(distance > radius_km, "{centre:?} {radius_km} {point:?}"),
                    Verdict::Unsure => continue,
                }
                settled += 1;
            }
        }
        assert!(settled * 100 > tried * 95, "only {settled} of {tried} settled");
    }

    /// Points far from a circle, as the corners of its cover's larger cells can be (out to twenty times
    /// its radius, and anywhere on Earth), are never settled on the wrong side either.
    #[test]
    fn points_far_from_the_circle_are_settled_on_the_right_side() {
        let mut random = rand::rngs::StdRng::seed_from_u64(11);
        for (quick, centre, radius_km, _) in circles_and_points() {
            for _ in 0..200 {
                let near = geo::Haversine.destination(
                    centre.to_point(),
                    random.gen_range(0.0..360.0),
                    random.gen_range(1.3..20.0) * radius_km * 1_000.0,
                );
                let anywhere =
                    Coordinates::new(random.gen_range(-90.0..90.0), random.gen_range(-180.0..180.0));
                for point in [Coordinates::new(near.y(), near.x()), anywhere] {
                    let distance = centre.distance_km(point);
                    let context = format!("{centre:?} {radius_km} km: {point:?} at {distance} km");
                    match quick.verdict(point) {
                        Verdict::Inside => assert!(distance <= radius_km, "{context}"),
                        Verdict::Outside => assert!(distance > radius_km, "{context}"),
                        Verdict::Unsure => {}
                    }
                    let packed = pack(point);
                    let packed_distance = centre.distance_km(unpack(packed));
                    match quick.packed_verdict(packed) {
                        (true, _) => assert!(packed_distance <= radius_km, "{context}"),
                        (false, false) => assert!(packed_distance > radius_km, "{context}"),
                        (false, true) => {}
                    }
                }
            }
        }
    }

    /// A cell settled as farther than the radius by the bound without trigonometry is so by
    /// `Cell::min_distance_km` too, and the bound settles nearly every cell that lies a fifth of the radius
    /// or more beyond it: cells of every level finer than a continent, holding points out to five times
    /// the radius.
    #[test]
    fn cells_surely_farther_are_farther_by_the_exact_bound() {
        let mut random = rand::rngs::StdRng::seed_from_u64(13);
        let (mut settled, mut far) = (0, 0);
        for (quick, centre, radius_km, _) in circles_and_points() {
            for _ in 0..50 {
                let reach = random.gen_range(0.0..5.0) * radius_km * 1_000.0;
                let point =
                    geo::Haversine.destination(centre.to_point(), random.gen_range(0.0..360.0), reach);
                let level = LEVELS[random.gen_range(3..LEVELS.len())];
                let cell = Cell::containing(level, Coordinates::new(point.y(), point.x()));
                let exact = cell.min_distance_km(centre);
                if quick.surely_farther(cell.bounds(), radius_km) {
                    assert!(
                        exact > radius_km,
                        "{centre:?} {radius_km} km: {cell:?} at {exact} km"
                    );
                    settled += 1;
                } else {
                    assert!(
                        exact <= radius_km * 1.2,
                        "{centre:?} {radius_km} km: {cell:?} at {exact} km"
                    );
                }
                far += usize::from(exact > radius_km);
            }
        }
        assert!(settled * 10 > far * 9, "only {settled} of {far} settled");
    }

    /// Circles too wide, too near a pole or across the antimeridian are left to the exact test.
    #[test]
    fn circles_it_cannot_settle_reliably_are_left_to_the_exact_test() {
        for (centre, radius_km) in [
            (Coordinates::new(53.4, -1.5), 250.0),
            (Coordinates::new(69.9, 20.0), 30.0),
            (Coordinates::new(-15.0, 179.9), 30.0),
        ] {
            let area = SearchArea::Near { centre, radius_km };
            assert!(
                QuickCircle::new(centre, radius_km, area.bounds()).is_none(),
                "{centre:?}"
            );
        }
    }
}
