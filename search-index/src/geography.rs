//! The shapes a search can be limited to, their cover by index cells, and the exact test (haversine
//! distance, point in polygon) that candidates from the cells must pass.

use geo::{BoundingRect, Intersects};

use crate::cells::{cover, Cell, CellBounds, FINEST_LEVEL};
use crate::circle::{QuickCircle, Verdict};
use crate::document::Coordinates;
use crate::error::{Result, SearchIndexError};

/// A shape's cover starts from at most this many cells of one level, before its edge cells are split
/// (`split_cover`).
const MAX_COVER_CELLS: usize = 24;
/// At most this many cells (inside and edge) after splitting the edge cells of the cover: most of an
/// area's locations then lie in inside cells, untested, and each cell costs one search of the map. Since
/// edge locations are settled mostly by the quick test, 128 measured quicker than 256, 512 or 64.
pub(crate) const AREA_CELLS: usize = 128;
/// Margins of `SearchArea::relation`: about a metre.
const MARGIN_KM: f64 = 0.001;
const MARGIN_DEGREES: f64 = 0.000_01;

/// How a cell lies to a search area.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Relation {
    /// No point of the cell is in the area.
    Disjoint,
    /// Every point of the cell is in the area.
    Inside,
    /// Some points may be in the area: each needs the exact test.
    Edge,
}

/// A search area's cells, by whether their points need the exact test.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct SplitCover {
    pub(crate) inside: Vec<Cell>,
    pub(crate) edge: Vec<Cell>,
}

/// Where the organisations searched for must have a (visible) location.
#[derive(Clone, Debug, PartialEq)]
pub enum SearchArea {
    /// Within `radius_km` kilometres (great-circle distance) of `centre`.
    Near { centre: Coordinates, radius_km: f64 },
    /// Inside a latitude/longitude box, edges included. A `west` greater than `east` crosses the
    /// antimeridian.
    BoundingBox {
        south: f64,
        west: f64,
        north: f64,
        east: f64,
    },
    /// Inside (or on the edge of) a region: one or more polygons, x being the longitude.
    Region(geo::MultiPolygon<f64>),
}

impl SearchArea {
    /// Checks the shape is one the index can search.
    pub(crate) fn validate(&self) -> Result<()> {
        let valid = match self {
            SearchArea::Near { centre, radius_km } => {
                valid_coordinates(*centre) && radius_km.is_finite() && *radius_km >= 0.0
            }
            SearchArea::BoundingBox {
                south,
                west,
                north,
                east,
            } => {
                valid_coordinates(Coordinates::new(*south, *west))
                    && valid_coordinates(Coordinates::new(*north, *east))
                    && south <= north
            }
            SearchArea::Region(region) => region.bounding_rect().is_some(),
        };
        if valid {
            Ok(())
        } else {
            Err(SearchIndexError::InvalidRequest(format!(
                "not a searchable area: {self:?}"
            )))
        }
    }

    /// The exact test: whether `point` lies in the area.
    pub(crate) fn contains(&self, point: Coordinates) -> bool {
        match self {
            SearchArea::Near { centre, radius_km } => centre.distance_km(point) <= *radius_km,
            SearchArea::BoundingBox { .. } => within_bounds(self.bounds(), point),
            SearchArea::Region(region) => region.intersects(&point.to_point()),
        }
    }

    /// A rectangle holding the whole area (for a circle, with a hair of margin against rounding).
    pub(crate) fn bounds(&self) -> CellBounds {
        match self {
            SearchArea::Near { centre, radius_km } => {
                let angle = (radius_km * 1_000.0 / geo::Haversine.radius()).to_degrees() + 1e-9;
                let south = (centre.latitude - angle).max(-90.0);
                let north = (centre.latitude + angle).min(90.0);
                let widest = centre.latitude.abs() + angle;
                if widest >= 90.0 {
                    return CellBounds {
                        south,
                        west: -180.0,
                        north,
                        east: 180.0,
                    };
                }
                let spread = (angle.to_radians().sin() / centre.latitude.to_radians().cos()).clamp(-1.0, 1.0);
                let half_width = spread.asin().to_degrees();
                if half_width >= 180.0 - 1e-9 {
                    return CellBounds {
                        south,
                        west: -180.0,
                        north,
                        east: 180.0,
                    };
                }
                let wrap = |longitude: f64| {
                    if longitude > 180.0 {
                        longitude - 360.0
                    } else if longitude < -180.0 {
                        longitude + 360.0
                    } else {
                        longitude
                    }
                };
                CellBounds {
                    south,
                    west: wrap(centre.longitude - half_width),
                    north,
                    east: wrap(centre.longitude + half_width),
                }
            }
            SearchArea::BoundingBox {
                south,
                west,
                north,
                east,
            } => CellBounds {
                south: *south,
                west: *west,
                north: *north,
                east: *east,
            },
            SearchArea::Region(region) => {
                let rect = region
                    .bounding_rect()
                    .expect("validated regions have a bounding rectangle");
                CellBounds {
                    south: rect.min().y,
                    west: rect.min().x,
                    north: rect.max().y,
                    east: rect.max().x,
                }
            }
        }
    }

    /// How a cell lies to the area, with margins (`INSIDE_MARGIN_*`) far wider than the packing of points
    /// (5 mm) so that a point indexed in an `Inside` cell is in the area by the exact test too, and one in a
    /// `Disjoint` cell is not.
    pub(crate) fn relation(&self, cell: Cell) -> Relation {
        self.relation_settled(cell, None)
    }

    /// `relation`, with a circle's corners settled by its quick test (`circle`) where it can: a corner
    /// surely inside makes a cell that is not disjoint, one surely outside an edge cell, four surely
    /// inside an inside one, without the haversine.
    fn relation_settled(&self, cell: Cell, quick: Option<&QuickCircle>) -> Relation {
        let bounds = cell.bounds();
        match self {
            SearchArea::Near { centre, radius_km } => {
                let verdicts = quick.map(|quick| bounds.corners().map(|corner| quick.verdict(corner)));
                // A corner surely inside settles that the cell is not disjoint; else the bound without
                // trigonometry, and then the exact one, may settle that it is.
                let touches = verdicts.is_some_and(|verdicts| verdicts.contains(&Verdict::Inside));
                let beyond = radius_km + MARGIN_KM;
                if !touches
                    && (quick.is_some_and(|quick| quick.surely_farther(bounds, beyond))
                        || cell.min_distance_km(*centre) > beyond)
                {
                    return Relation::Disjoint;
                }
                if let Some(verdicts) = verdicts {
                    if verdicts.contains(&Verdict::Outside) {
                        return Relation::Edge;
                    }
                    // Four corners within 99.8% of the radius by the flat distance are within 99.86% by
                    // the haversine, farther than `MARGIN_KM` inside a circle of a kilometre or more.
                    if *radius_km >= 1.0 && verdicts.iter().all(|verdict| *verdict == Verdict::Inside) {
                        return Relation::Inside;
                    }
                }
                if within_circle(*centre, *radius_km, bounds) {
                    Relation::Inside
                } else {
                    Relation::Edge
                }
            }
            SearchArea::BoundingBox { .. } => {
                let area = self.bounds();
                let m = MARGIN_DEGREES;
                let overlaps_latitudes = bounds.south <= area.north + m && bounds.north >= area.south - m;
                let within_latitudes = bounds.south >= area.south + m && bounds.north <= area.north - m;
                // The box as one or two spans of longitude (two when it crosses the antimeridian).
                let spans = if area.west <= area.east {
                    [(area.west, area.east), (f64::NAN, f64::NAN)]
                } else {
                    [(area.west, 180.0), (-180.0, area.east)]
                };
                let overlaps = spans
                    .iter()
                    .any(|(west, east)| bounds.west <= east + m && bounds.east >= west - m);
                let within = spans
                    .iter()
                    .any(|(west, east)| bounds.west >= west + m && bounds.east <= east - m);
                if !overlaps_latitudes || !overlaps {
                    Relation::Disjoint
                } else if within_latitudes && within {
                    Relation::Inside
                } else {
                    Relation::Edge
                }
            }
            SearchArea::Region(region) => {
                let m = MARGIN_DEGREES;
                let widened = geo::Rect::new(
                    geo::coord! { x: bounds.west - m, y: bounds.south - m },
                    geo::coord! { x: bounds.east + m, y: bounds.north + m },
                );
                if !widened.intersects(region) {
                    return Relation::Disjoint;
                }
                // No edge of the region comes near the cell, and its centre is in the region: all of it is.
                let crossed = region.iter().any(|polygon| {
                    std::iter::once(polygon.exterior())
                        .chain(polygon.interiors())
                        .any(|ring| ring.intersects(&widened))
                });
                let centre = geo::Point::new(
                    (bounds.west + bounds.east) / 2.0,
                    (bounds.south + bounds.north) / 2.0,
                );
                if !crossed && region.intersects(&centre) {
                    Relation::Inside
                } else {
                    Relation::Edge
                }
            }
        }
    }

    /// For a circle (whose `bounds` are given), its quick test, if it serves the circle.
    fn quick_circle(&self, bounds: CellBounds) -> Option<QuickCircle> {
        match self {
            SearchArea::Near { centre, radius_km } => QuickCircle::new(*centre, *radius_km, bounds),
            _ => None,
        }
    }

    /// The cells to search: those wholly inside the area (whose points need no exact test) and those on
    /// its edge (whose points do). Starts from the cover of at most `MAX_COVER_CELLS` cells of one level,
    /// then splits edge cells, coarsest first, into their children while the cells stay within
    /// `max_cells`, so most candidates come from inside cells.
    pub(crate) fn split_cover(&self, max_cells: usize) -> SplitCover {
        let mut split = SplitCover::default();
        let mut edges = std::collections::VecDeque::with_capacity(max_cells);
        let mut children = Vec::with_capacity(16);
        let bounds = self.bounds();
        let quick = self.quick_circle(bounds);
        let relation = |cell| self.relation_settled(cell, quick.as_ref());
        for cell in cover(bounds, MAX_COVER_CELLS, |_| true) {
            match relation(cell) {
                Relation::Disjoint => {}
                Relation::Inside => split.inside.push(cell),
                Relation::Edge => edges.push_back(cell),
            }
        }
        while let Some(cell) = edges.front().copied() {
            let cells = split.inside.len() + edges.len();
            if cell.level >= FINEST_LEVEL || cells + 15 > max_cells {
                break;
            }
            edges.pop_front();
            children.clear();
            for child in cell.children() {
                match relation(child) {
                    Relation::Disjoint => {}
                    relation => children.push((child, relation)),
                }
            }
            if split.inside.len() + edges.len() + children.len() > max_cells {
                edges.push_front(cell);
                break;
            }
            for (child, relation) in children.drain(..) {
                match relation {
                    Relation::Inside => split.inside.push(child),
                    _ => edges.push_back(child),
                }
            }
        }
        split.edge = edges.into();
        split
    }

    /// A rectangle wholly inside the area, if one is quick to find: its points pass the exact test without
    /// computing it. For a circle, the largest of a few boxes around the centre whose corners are all within
    /// the radius (as `relation` checks an inside cell); none near the poles or the antimeridian.
    pub(crate) fn inner_bounds(&self) -> Option<CellBounds> {
        let SearchArea::Near { centre, radius_km } = self else {
            return None;
        };
        let angle = (radius_km * 1_000.0 / geo::Haversine.radius()).to_degrees();
        let mut half = angle * 0.7;
        for _ in 0..4 {
            if centre.latitude.abs() + half >= 85.0 {
                return None;
            }
            let nearer_equator = (centre.latitude.abs() - half).max(0.0);
            let half_width = half / nearer_equator.to_radians().cos();
            let inner = CellBounds {
                south: centre.latitude - half,
                west: centre.longitude - half_width,
                north: centre.latitude + half,
                east: centre.longitude + half_width,
            };
            if inner.west < -180.0 || inner.east > 180.0 {
                return None;
            }
            if within_circle(*centre, *radius_km, inner) {
                return Some(inner);
            }
            half *= 0.8;
        }
        None
    }
}

/// Whether every point of the rectangle lies within `radius_km` of `centre`, with a margin (`MARGIN_KM`)
/// far wider than the packing of points (5 mm), so that a packed point in it passes the exact test too.
fn within_circle(centre: Coordinates, radius_km: f64, bounds: CellBounds) -> bool {
    // Along a parallel the distance grows with the longitude difference, along a meridian it falls then
    // rises: unless the rectangle holds the meridian opposite the centre, its farthest point is a corner.
    let opposite = if centre.longitude > 0.0 {
        centre.longitude - 180.0
    } else {
        centre.longitude + 180.0
    };
    if bounds.west < opposite && opposite < bounds.east {
        return false;
    }
    let farthest = bounds
        .corners()
        .into_iter()
        .map(|corner| centre.distance_km(corner))
        .fold(0.0, f64::max);
    farthest * (1.0 + 1e-9) <= radius_km - MARGIN_KM
}

/// Whether `point` lies in the rectangle (edges included; a west east of the east crosses the antimeridian).
fn within_bounds(bounds: CellBounds, point: Coordinates) -> bool {
    (bounds.south..=bounds.north).contains(&point.latitude)
        && if bounds.west <= bounds.east {
            (bounds.west..=bounds.east).contains(&point.longitude)
        } else {
            point.longitude >= bounds.west || point.longitude <= bounds.east
        }
}

/// An area with the quick tests that settle most points without the exact one.
#[derive(Clone, Debug)]
pub(crate) struct AreaTest {
    area: SearchArea,
    /// Holds the whole area.
    bounds: CellBounds,
    /// Wholly inside the area (`SearchArea::inner_bounds`).
    inner: Option<CellBounds>,
    /// For a circle, the flat-earth test of points near its edge.
    circle: Option<QuickCircle>,
}

impl AreaTest {
    pub(crate) fn new(area: &SearchArea) -> Self {
        let bounds = area.bounds();
        AreaTest {
            area: area.clone(),
            bounds,
            inner: area.inner_bounds(),
            circle: area.quick_circle(bounds),
        }
    }

    /// Settles `point` without the exact test where a quick one can.
    pub(crate) fn verdict(&self, point: Coordinates) -> Verdict {
        if self.inner.is_some_and(|inner| within_bounds(inner, point)) {
            return Verdict::Inside;
        }
        if !within_bounds(self.bounds, point) {
            return Verdict::Outside;
        }
        match (&self.area, &self.circle) {
            (SearchArea::BoundingBox { .. }, _) => Verdict::Inside,
            (_, Some(circle)) => circle.verdict(point),
            _ => Verdict::Unsure,
        }
    }

    /// For a circle, its quick test: it settles any point alone.
    pub(crate) fn circle(&self) -> Option<&QuickCircle> {
        self.circle.as_ref()
    }

    pub(crate) fn contains(&self, point: Coordinates) -> bool {
        match self.verdict(point) {
            Verdict::Inside => true,
            Verdict::Outside => false,
            Verdict::Unsure => self.area.contains(point),
        }
    }
}

pub(crate) fn valid_coordinates(point: Coordinates) -> bool {
    (-90.0..=90.0).contains(&point.latitude) && (-180.0..=180.0).contains(&point.longitude)
}

#[cfg(test)]
mod split_cover_tests {
    use super::{Relation, SearchArea, AREA_CELLS};
    use crate::cells::{pack, unpack, CellBounds};
    use crate::document::Coordinates;

    /// Every point of a grid of `steps` × `steps` squares over `bounds` passes the exact test (after
    /// packing).
    fn assert_grid_inside(area: &SearchArea, bounds: CellBounds, steps: u32) {
        for i in 0..=steps {
            for j in 0..=steps {
                let point = Coordinates::new(
                    bounds.south + (bounds.north - bounds.south) * f64::from(i) / f64::from(steps),
                    bounds.west + (bounds.east - bounds.west) * f64::from(j) / f64::from(steps),
                );
                assert!(
                    area.contains(unpack(pack(point))),
                    "{area:?} {bounds:?} {point:?}"
                );
            }
        }
    }

    fn areas() -> Vec<SearchArea> {
        let ring = vec![
            geo::coord! { x: -1.9, y: 53.2 },
            geo::coord! { x: -1.2, y: 53.25 },
            geo::coord! { x: -1.1, y: 53.6 },
            geo::coord! { x: -1.5, y: 53.45 },
            geo::coord! { x: -1.8, y: 53.55 },
        ];
        vec![
            SearchArea::Near {
                centre: Coordinates::new(53.38, -1.47),
                radius_km: 17.0,
            },
            SearchArea::BoundingBox {
                south: 53.2,
                west: -1.7,
                north: 53.5,
                east: -1.2,
            },
            SearchArea::BoundingBox {
                south: -20.0,
                west: 175.0,
                north: -10.0,
                east: -175.0,
            },
            SearchArea::Region(geo::MultiPolygon::new(vec![geo::Polygon::new(
                geo::LineString::new(ring),
                Vec::new(),
            )])),
        ]
    }

    /// Every point of a circle's inner rectangle passes the exact test (after packing), and the rectangle
    /// holds most of the circle wherever organisations are.
    #[test]
    fn a_circle_holds_its_inner_rectangle() {
        for (latitude, longitude) in [
            (53.38, -1.47),
            (51.5, -0.13),
            (60.15, -1.15),
            (-33.9, 151.2),
            (0.0, 179.0),
        ] {
            for radius_km in [0.5, 5.0, 17.0, 60.0, 400.0] {
                let centre = Coordinates::new(latitude, longitude);
                let area = SearchArea::Near { centre, radius_km };
                let Some(b) = area.inner_bounds() else {
                    assert!(longitude.abs() > 170.0, "{area:?} has no inner rectangle");
                    continue;
                };
                assert_grid_inside(&area, b, 10);
                let corner = Coordinates::new(b.north, b.east);
                assert!(
                    centre.distance_km(corner) > 0.6 * radius_km,
                    "{area:?}: {b:?} is too small"
                );
            }
        }
        let square = SearchArea::BoundingBox {
            south: 53.2,
            west: -1.7,
            north: 53.5,
            east: -1.2,
        };
        assert_eq!(square.inner_bounds(), None);
    }

    /// Every point of an inside cell passes the exact test (after packing), and the cover holds every
    /// point that does.
    #[test]
    fn inside_cells_need_no_test_and_the_cover_misses_nothing() {
        for (area, max_cells) in areas()
            .into_iter()
            .flat_map(|area| [48, AREA_CELLS].map(|max_cells| (area.clone(), max_cells)))
        {
            let split = area.split_cover(max_cells);
            assert!(!split.inside.is_empty(), "{area:?}");
            for cell in &split.inside {
                assert_eq!(area.relation(*cell), Relation::Inside);
                assert_grid_inside(&area, cell.bounds(), 8);
            }
            let bounds = area.bounds();
            let (west, east) = if bounds.west <= bounds.east {
                (bounds.west, bounds.east)
            } else {
                (bounds.west, bounds.east + 360.0)
            };
            for i in 0..=60 {
                for j in 0..=60 {
                    let mut longitude = west + (east - west) * f64::from(j) / 60.0;
                    if longitude > 180.0 {
                        longitude -= 360.0;
                    }
                    let point = Coordinates::new(
                        bounds.south + (bounds.north - bounds.south) * f64::from(i) / 60.0,
                        longitude,
                    );
                    if area.contains(unpack(pack(point))) {
                        let covered = split
                            .inside
                            .iter()
                            .chain(&split.edge)
                            .any(|cell| *cell == crate::cells::Cell::containing(cell.level, point));
                        assert!(covered, "{area:?} {point:?}");
                    }
                }
            }
        }
    }
}
