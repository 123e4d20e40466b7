//! Maps as an enhancement of lists: every place in a list carries its coordinates in data attributes, and
//! the script draws them with Leaflet — an exact place as a point, an approximate one as a 2 km area, never
//! a pin. Without JavaScript the map stays hidden and the list says the same.

use maud::{html, Markup};

use crate::visit::Visit;

/// The radius, in metres, of the area drawn for an approximate location (the directory rounds those to
/// the centre of a cell about 2 km across).
const APPROXIMATE_RADIUS_M: u32 = 1_500;

/// A place to draw, carried by the list item that names it.
pub struct Point<'a> {
    pub latitude: f64,
    pub longitude: f64,
    pub approximate: bool,
    pub name: &'a str,
    pub href: &'a str,
}

impl Point<'_> {
    /// The data attributes for the element that shows this place in a list.
    pub fn attributes(&self) -> Markup {
        html! {
            span hidden data-point="" data-latitude=(self.latitude) data-longitude=(self.longitude)
                data-radius=[self.approximate.then_some(APPROXIMATE_RADIUS_M)]
                data-name=(self.name) data-href=(self.href) {}
        }
    }
}

/// The map's container (hidden until the script draws it), labelled for screen readers.
pub fn container(visit: &Visit, label_key: &str) -> Markup {
    html! {
        div class="map" data-map="" role="region" aria-label=(visit.text(label_key))
            data-tiles=[visit.map_tiles.as_deref()] hidden {}
    }
}
