//! Geographic cells. The Earth is cut into a quadtree of latitude/longitude cells: at level `L` there are
//! 2^L rows and 2^L columns. Every indexed point adds the term of its cell at each of `LEVELS`, which
//! nearest-k walks down; level 0 is the whole Earth, its term saying "has a location this audience may
//! see". A search shape is covered by cells (`geography`), each of which is one run of the quadtree's
//! Z-order (`Cell::z_range`), where the map of a segment's locations (`map`) finds its points. This module
//! also packs points into one `u64` fast-field value.

use geo::Haversine;

use crate::document::Coordinates;

/// The indexed levels, coarse to fine; each step splits a cell into 4 x 4 children. The finest cells are
/// about 80 m by 100 m in Britain.
pub(crate) const LEVELS: [u8; 10] = [0, 2, 4, 6, 8, 10, 12, 14, 16, 18];
const LEVEL_STEP: u8 = 2;
pub(crate) const FINEST_LEVEL: u8 = LEVELS[LEVELS.len() - 1];

/// A cell of the quadtree.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct Cell {
    pub(crate) level: u8,
    pub(crate) row: u32,
    pub(crate) column: u32,
}

impl Cell {
    /// The whole Earth.
    pub(crate) const WORLD: Cell = Cell {
        level: 0,
        row: 0,
        column: 0,
    };

    fn per_side(level: u8) -> u32 {
        1 << level
    }

    fn height(level: u8) -> f64 {
        180.0 / f64::from(Cell::per_side(level))
    }

    fn width(level: u8) -> f64 {
        360.0 / f64::from(Cell::per_side(level))
    }

    fn row_of(level: u8, latitude: f64) -> u32 {
        let row = ((latitude + 90.0) / Cell::height(level)).floor();
        (row.max(0.0) as u32).min(Cell::per_side(level) - 1)
    }

    fn column_of(level: u8, longitude: f64) -> u32 {
        let column = ((longitude + 180.0) / Cell::width(level)).floor();
        (column.max(0.0) as u32).min(Cell::per_side(level) - 1)
    }

    pub(crate) fn containing(level: u8, point: Coordinates) -> Cell {
        Cell {
            level,
            row: Cell::row_of(level, point.latitude),
            column: Cell::column_of(level, point.longitude),
        }
    }

    /// The term value of this cell in a cells field.
    pub(crate) fn term(self) -> u64 {
        (u64::from(self.level) << 58) | (u64::from(self.row) << 29) | u64::from(self.column)
    }

    pub(crate) fn bounds(self) -> CellBounds {
        let (height, width) = (Cell::height(self.level), Cell::width(self.level));
        let south = -90.0 + f64::from(self.row) * height;
        let west = -180.0 + f64::from(self.column) * width;
        CellBounds {
            south,
            west,
            north: south + height,
            east: west + width,
        }
    }

    /// The keys (`finest_key`) of the finest cells inside this one: every cell is one run of the
    /// quadtree's Z-order.
    pub(crate) fn z_range(self) -> std::ops::Range<u64> {
        let key = spread(u64::from(self.row)) << 1 | spread(u64::from(self.column));
        let shift = 2 * u32::from(FINEST_LEVEL - self.level);
        (key << shift)..((key + 1) << shift)
    }

    /// The 16 cells of the next indexed level inside this one.
    pub(crate) fn children(self) -> impl Iterator<Item = Cell> {
        let level = self.level + LEVEL_STEP;
        let side = 1 << LEVEL_STEP;
        (0..side * side).map(move |index| Cell {
            level,
            row: self.row * side + index / side,
            column: self.column * side + index % side,
        })
    }

    /// A lower bound of the distance in kilometres from `point` to any point of this cell (0 inside it).
    /// Along a meridian the latitude difference is exact; across meridians, the distance from the point to
    /// the great circle of the nearest or farthest edge meridian bounds it from below.
    pub(crate) fn min_distance_km(self, point: Coordinates) -> f64 {
        let bounds = self.bounds();
        let (latitude_gap, longitude_gap) = bounds.gaps_from(point);
        let mut angle = latitude_gap.to_radians();
        if longitude_gap > 0.0 && longitude_gap < 90.0 {
            let far_edge = longitude_gap + (bounds.east - bounds.west);
            let smallest_sine = if far_edge >= 180.0 {
                0.0
            } else {
                longitude_gap.to_radians().sin().min(far_edge.to_radians().sin())
            };
            let across = (point.latitude.to_radians().cos() * smallest_sine)
                .clamp(0.0, 1.0)
                .asin();
            angle = angle.max(across);
        }
        // A hair below the bound so rounding never lifts it above a haversine distance.
        angle * Haversine.radius() / 1_000.0 * (1.0 - 1e-9)
    }
}

/// How far (in degrees, at most 180) `longitude` lies east or west of the span `west..=east`.
fn longitude_gap(longitude: f64, west: f64, east: f64) -> f64 {
    if (west..=east).contains(&longitude) {
        return 0.0;
    }
    let degrees_to = |target: f64| {
        let gap = (longitude - target).abs() % 360.0;
        gap.min(360.0 - gap)
    };
    degrees_to(west).min(degrees_to(east))
}

/// A latitude/longitude rectangle in degrees.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct CellBounds {
    pub(crate) south: f64,
    pub(crate) west: f64,
    pub(crate) north: f64,
    pub(crate) east: f64,
}

impl CellBounds {
    /// How far, in degrees, `point` lies south or north of these bounds, and east or west of them (at
    /// most 180): 0 within their latitudes, or their longitudes.
    pub(crate) fn gaps_from(self, point: Coordinates) -> (f64, f64) {
        let latitude_gap = if point.latitude < self.south {
            self.south - point.latitude
        } else if point.latitude > self.north {
            point.latitude - self.north
        } else {
            0.0
        };
        (latitude_gap, longitude_gap(point.longitude, self.west, self.east))
    }

    pub(crate) fn corners(self) -> [Coordinates; 4] {
        [
            Coordinates::new(self.south, self.west),
            Coordinates::new(self.south, self.east),
            Coordinates::new(self.north, self.west),
            Coordinates::new(self.north, self.east),
        ]
    }
}

/// The cell terms a point adds, one per level.
pub(crate) fn terms_of(point: Coordinates) -> impl Iterator<Item = u64> {
    LEVELS
        .into_iter()
        .map(move |level| Cell::containing(level, point).term())
}

/// The cells of the finest level at which at most `max_cells` cells cover the rectangle, keeping those
/// `keep` accepts. A rectangle whose west is east of its east crosses the antimeridian.
pub(crate) fn cover(bounds: CellBounds, max_cells: usize, keep: impl Fn(Cell) -> bool) -> Vec<Cell> {
    let level = LEVELS
        .into_iter()
        .rev()
        .find(|&level| cells_in(level, bounds).count() <= max_cells)
        .unwrap_or(0);
    cells_in(level, bounds).filter(|&cell| keep(cell)).collect()
}

fn cells_in(level: u8, bounds: CellBounds) -> impl Iterator<Item = Cell> {
    let rows = Cell::row_of(level, bounds.south)..=Cell::row_of(level, bounds.north);
    let columns: Vec<u32> = if bounds.west <= bounds.east {
        (Cell::column_of(level, bounds.west)..=Cell::column_of(level, bounds.east)).collect()
    } else {
        let last = Cell::per_side(level) - 1;
        (Cell::column_of(level, bounds.west)..=last)
            .chain(0..=Cell::column_of(level, bounds.east))
            .collect()
    };
    rows.flat_map(move |row| {
        columns
            .clone()
            .into_iter()
            .map(move |column| Cell { level, row, column })
    })
}

/// Packs a point into one fast-field value (32 bits of latitude, 32 of longitude: about 5 mm).
pub(crate) fn pack(point: Coordinates) -> u64 {
    let scale = |value: f64, low: f64, span: f64| {
        (((value - low) / span) * f64::from(u32::MAX))
            .round()
            .clamp(0.0, f64::from(u32::MAX)) as u64
    };
    (scale(point.latitude, -90.0, 180.0) << 32) | scale(point.longitude, -180.0, 360.0)
}

/// Where a point falls on a Z-order curve through its 5 mm grid: points near each other mostly get near
/// values, so an index sorted by it keeps an area's documents in a few runs of document ids.
pub(crate) fn z_order(point: Coordinates) -> u64 {
    let packed = pack(point);
    spread(packed >> 32) << 1 | spread(packed & 0xFFFF_FFFF)
}

/// Where the finest cell holding a point falls in the quadtree's Z-order: the point lies in a cell of any
/// level exactly when this key lies in the cell's `z_range`.
pub(crate) fn finest_key(point: Coordinates) -> u64 {
    Cell::containing(FINEST_LEVEL, point).z_range().start
}

/// The 32 low bits of `value` moved to the even bits.
fn spread(value: u64) -> u64 {
    let mut value = value & 0xFFFF_FFFF;
    value = (value | (value << 16)) & 0x0000_FFFF_0000_FFFF;
    value = (value | (value << 8)) & 0x00FF_00FF_00FF_00FF;
    value = (value | (value << 4)) & 0x0F0F_0F0F_0F0F_0F0F;
    value = (value | (value << 2)) & 0x3333_3333_3333_3333;
    (value | (value << 1)) & 0x5555_5555_5555_5555
}

/// The point `pack` packed (to its 5 mm grid).
pub(crate) fn unpack(packed: u64) -> Coordinates {
    let unscale = |bits: u64, low: f64, span: f64| low + (bits as f64 / f64::from(u32::MAX)) * span;
    Coordinates {
        latitude: unscale(packed >> 32, -90.0, 180.0),
        longitude: unscale(packed & 0xFFFF_FFFF, -180.0, 360.0),
    }
}

/// The point `pack` packed, in radians (latitude, longitude), with one multiplication and one addition
/// each: for tests that read many packed points in a row.
pub(crate) fn unpack_radians(packed: u64) -> (f64, f64) {
    const PER_BIT: f64 = std::f64::consts::PI / u32::MAX as f64;
    (
        (packed >> 32) as f64 * PER_BIT - std::f64::consts::FRAC_PI_2,
        (packed & 0xFFFF_FFFF) as f64 * (2.0 * PER_BIT) - std::f64::consts::PI,
    )
}

#[cfg(test)]
mod tests {
    use super::{
        cover, finest_key, pack, spread, unpack, unpack_radians, z_order, Cell, CellBounds, FINEST_LEVEL,
        LEVELS,
    };
    use crate::document::Coordinates;

    /// A small deterministic sequence of numbers in 0..1 for sampling.
    fn samples(count: usize) -> impl Iterator<Item = f64> {
        let mut state = 0x2545_F491_4F6C_DD1D_u64;
        (0..count).map(move |_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 11) as f64 / (1u64 << 53) as f64
        })
    }

    #[test]
    fn the_z_order_never_falls_when_a_point_moves_north_or_east() {
        for latitude in samples(40).map(|s| s * 170.0 - 85.0) {
            for longitude in samples(40).map(|s| s * 350.0 - 175.0) {
                let point = Coordinates::new(latitude, longitude);
                let north = Coordinates::new(latitude + 0.3, longitude);
                let east = Coordinates::new(latitude, longitude + 0.3);
                assert!(z_order(point) < z_order(north), "{point:?}");
                assert!(z_order(point) < z_order(east), "{point:?}");
            }
        }
        assert_eq!(spread(0b1011), 0b100_0101);
    }

    #[test]
    fn packing_keeps_a_point_within_a_centimetre() {
        let sheffield = Coordinates::new(53.38297, -1.4659);
        assert!(unpack(pack(sheffield)).distance_km(sheffield) < 0.000_01);
        assert_eq!(pack(unpack(pack(sheffield))), pack(sheffield));
        let (latitude, longitude) = unpack_radians(pack(sheffield));
        let unpacked = unpack(pack(sheffield));
        assert!((latitude - unpacked.latitude.to_radians()).abs() < 1e-12);
        assert!((longitude - unpacked.longitude.to_radians()).abs() < 1e-12);
    }

    #[test]
    fn a_point_lies_in_its_cell_and_each_cell_in_its_parent() {
        let point = Coordinates::new(51.50853, -0.12574);
        for pair in LEVELS.windows(2) {
            let parent = Cell::containing(pair[0], point);
            let child = Cell::containing(pair[1], point);
            assert!(parent.children().any(|cell| cell == child));
            let bounds = child.bounds();
            assert!((bounds.south..bounds.north).contains(&point.latitude));
            assert!((bounds.west..bounds.east).contains(&point.longitude));
            assert!(child.z_range().contains(&finest_key(point)));
            assert!(parent.z_range().start <= child.z_range().start);
            assert!(child.z_range().end <= parent.z_range().end);
        }
        let (sheffield, london) = (Coordinates::new(53.38297, -1.4659), point);
        for level in LEVELS {
            let cell = Cell::containing(level, london);
            let same_cell = Cell::containing(level, sheffield) == cell;
            assert_eq!(
                cell.z_range().contains(&finest_key(sheffield)),
                same_cell,
                "{cell:?}"
            );
        }
        assert_eq!(Cell::containing(0, point), Cell::WORLD);
    }

    #[test]
    fn the_cell_distance_never_exceeds_the_distance_to_any_point_of_the_cell() {
        let numbers: Vec<f64> = samples(60_000).collect();
        for chunk in numbers.chunks(6) {
            let level = LEVELS[(chunk[0] * LEVELS.len() as f64) as usize % LEVELS.len()];
            let from = Coordinates::new(chunk[1] * 170.0 - 85.0, chunk[2] * 360.0 - 180.0);
            let near = Coordinates::new(
                (from.latitude + (chunk[3] - 0.5) * 20.0).clamp(-89.0, 89.0),
                from.longitude + (chunk[4] - 0.5) * 30.0,
            );
            let cell = Cell::containing(level, near);
            let bounds = cell.bounds();
            let inside = Coordinates::new(
                bounds.south + chunk[5] * (bounds.north - bounds.south),
                bounds.west + chunk[3] * (bounds.east - bounds.west),
            );
            let bound = cell.min_distance_km(from);
            assert!(
                bound <= from.distance_km(inside),
                "{cell:?} {from:?} {inside:?} {bound}"
            );
        }
    }

    #[test]
    fn a_cover_holds_every_point_of_the_rectangle() {
        let bounds = CellBounds {
            south: 53.2,
            west: -1.7,
            north: 53.5,
            east: -1.2,
        };
        let cells = cover(bounds, 24, |_| true);
        assert!(!cells.is_empty() && cells.len() <= 24);
        assert!(cells
            .iter()
            .all(|cell| cell.level == cells[0].level && cell.level <= FINEST_LEVEL));
        for point in samples(1_000).collect::<Vec<_>>().chunks(2) {
            let inside = Coordinates::new(53.2 + point[0] * 0.3, -1.7 + point[1] * 0.5);
            assert!(cells.contains(&Cell::containing(cells[0].level, inside)));
        }
        let across_antimeridian = CellBounds {
            south: -20.0,
            west: 175.0,
            north: -10.0,
            east: -175.0,
        };
        let cells = cover(across_antimeridian, 24, |_| true);
        let level = cells[0].level;
        assert!(cells.contains(&Cell::containing(level, Coordinates::new(-15.0, 179.0))));
        assert!(cells.contains(&Cell::containing(level, Coordinates::new(-15.0, -179.0))));
    }
}
