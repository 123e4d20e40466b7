//! The shapes a search can be limited to, their cover by index cells, and the exact test (haversine
//! distance, point in polygon) that candidates from the cells must pass.

use geo::{BoundingRect, Intersects};

use crate::cells::{cover, Cell, CellBounds};
use crate::document::Coordinates;
use crate::error::{Result, SearchIndexError};

/// At most this many cells cover a shape: a union of this many postings lists stays cheap, and the cells
/// stay small enough that few candidates fall outside the shape.
const MAX_COVER_CELLS: usize = 24;

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

    /// The index cells whose points may lie in the area.
    pub(crate) fn cover(&self) -> Vec<Cell> {
        let bounds = self.bounds();
        match self {
            SearchArea::Near { centre, radius_km } => cover(bounds, MAX_COVER_CELLS, |cell| {
                cell.min_distance_km(*centre) <= *radius_km
            }),
            SearchArea::BoundingBox { .. } => cover(bounds, MAX_COVER_CELLS, |_| true),
            SearchArea::Region(region) => cover(bounds, MAX_COVER_CELLS, |cell| {
                cell.bounds().to_rect().intersects(region)
            }),
        }
    }
}

/// Whether `point` lies in the rectangle (edges included; a west east of the east crosses the antimeridian).
pub(crate) fn within_bounds(bounds: CellBounds, point: Coordinates) -> bool {
    (bounds.south..=bounds.north).contains(&point.latitude)
        && if bounds.west <= bounds.east {
            (bounds.west..=bounds.east).contains(&point.longitude)
        } else {
            point.longitude >= bounds.west || point.longitude <= bounds.east
        }
}

pub(crate) fn valid_coordinates(point: Coordinates) -> bool {
    (-90.0..=90.0).contains(&point.latitude) && (-180.0..=180.0).contains(&point.longitude)
}
