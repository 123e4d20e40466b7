//! One organisation as the directory gives it to the index, and what each audience may see of it.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

use crate::area::coarse_point;
use crate::audience::{Audience, Visibility};
use crate::cells::z_order;
use crate::request::Facet;

/// A point on the Earth in degrees (WGS 84).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Coordinates {
    pub latitude: f64,
    pub longitude: f64,
}

impl Coordinates {
    pub fn new(latitude: f64, longitude: f64) -> Self {
        Coordinates { latitude, longitude }
    }

    /// The same point as a `geo` point (x is the longitude).
    pub fn to_point(self) -> geo::Point<f64> {
        geo::Point::new(self.longitude, self.latitude)
    }

    /// The great-circle (haversine) distance in kilometres.
    pub fn distance_km(self, other: Coordinates) -> f64 {
        use geo::Distance;
        geo::Haversine.distance(self.to_point(), other.to_point()) / 1_000.0
    }
}

/// How precisely a location may be shown to those who are not administrators.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Precision {
    /// The real point.
    Exact,
    /// Only the centre of its ~2 km cell (`area::coarse_point`), also for distances and filters.
    Area,
    /// Never in geographic results.
    Hidden,
}

/// One place where an organisation meets or works.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Location {
    pub id: String,
    pub town: String,
    pub coordinates: Coordinates,
    pub precision: Precision,
}

/// Who may see each group of an organisation's fields. The name is always public.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct FieldVisibility {
    /// Description, themes, communities, languages, website.
    pub profile: Visibility,
    /// Contact details (not indexed; here so the directory's setting travels whole).
    pub contact: Visibility,
    /// Locations and their towns.
    pub locations: Visibility,
    /// Membership status.
    pub membership: Visibility,
}

impl Default for FieldVisibility {
    /// A profile and its locations are public; contact details and membership are for the network.
    fn default() -> Self {
        FieldVisibility {
            profile: Visibility::Public,
            contact: Visibility::Network,
            locations: Visibility::Public,
            membership: Visibility::Network,
        }
    }
}

impl FieldVisibility {
    /// The description, if `audience` may see it.
    pub(crate) fn description(self, audience: Audience, description: &str) -> Option<&str> {
        self.profile.allows(audience).then_some(description)
    }

    /// The locations `audience` may see, in order, where it sees them.
    fn locations(
        self,
        audience: Audience,
        locations: &[Location],
    ) -> impl Iterator<Item = VisibleLocation<'_>> {
        self.shown_locations(audience, locations)
            .iter()
            .filter_map(move |location| location.seen_by(audience))
    }

    /// `locations` if `audience` may see an organisation's locations at all (each then by its precision),
    /// else none.
    pub(crate) fn shown_locations<T>(self, audience: Audience, locations: &[T]) -> &[T] {
        if self.locations.allows(audience) {
            locations
        } else {
            &[]
        }
    }
}

/// What a search hit shows of a stored organisation (`Organisation` as JSON), read without the rest
/// (into `cards`): its words borrowed from the stored text where they can be, its facet values skipped.
#[derive(Debug, Deserialize)]
pub(crate) struct StoredHit<'a> {
    #[serde(borrow)]
    pub(crate) id: Cow<'a, str>,
    #[serde(borrow)]
    pub(crate) name: Cow<'a, str>,
    #[serde(borrow)]
    pub(crate) description: Cow<'a, str>,
    pub(crate) locations: Vec<Location>,
    pub(crate) visibility: FieldVisibility,
}

/// One organisation of the network, as the index receives it. The nation is treated as public, like the
/// name: it says no more than which of the four nations the group works in.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Organisation {
    /// The organisation's uuid, as text.
    pub id: String,
    pub name: String,
    pub description: String,
    pub themes: Vec<String>,
    pub communities: Vec<String>,
    /// ISO 639 codes.
    pub languages: Vec<String>,
    pub membership: Option<String>,
    pub nation: String,
    pub locations: Vec<Location>,
    pub visibility: FieldVisibility,
}

/// A location as one audience sees it: where it is shown, searched and measured from.
#[derive(Clone, Debug, PartialEq)]
pub struct VisibleLocation<'a> {
    pub location: &'a Location,
    pub coordinates: Coordinates,
}

/// What one audience may see of an organisation. The index is built from views, so whatever an audience's
/// fields hold is by construction what that audience may see.
#[derive(Clone, Debug, PartialEq)]
pub struct OrganisationView<'a> {
    pub organisation: &'a Organisation,
    pub description: Option<&'a str>,
    pub themes: &'a [String],
    pub communities: &'a [String],
    pub languages: &'a [String],
    pub membership: Option<&'a str>,
    /// In the organisation's order, leaving out what the audience may not see.
    pub locations: Vec<VisibleLocation<'a>>,
}

impl Organisation {
    /// What `audience` may see of this organisation.
    pub fn seen_by(&self, audience: Audience) -> OrganisationView<'_> {
        let visibility = self.visibility;
        let profile = visibility.profile.allows(audience);
        OrganisationView {
            organisation: self,
            description: visibility.description(audience, &self.description),
            themes: shown_if(profile, &self.themes),
            communities: shown_if(profile, &self.communities),
            languages: shown_if(profile, &self.languages),
            membership: self
                .membership
                .as_deref()
                .filter(|_| visibility.membership.allows(audience)),
            locations: visibility.locations(audience, &self.locations).collect(),
        }
    }

    /// Where the index keeps this organisation in its order (`schema::index_builder`): its first location as
    /// the public sees it, on a Z-order curve, or last without one. Never finer than the public may see,
    /// so the order of results tells no one more than the coordinates they are shown.
    pub(crate) fn place_in_order(&self) -> u64 {
        let public = self.seen_by(Audience::Public);
        public
            .locations
            .first()
            .map_or(u64::MAX, |location| z_order(location.coordinates))
    }
}

impl OrganisationView<'_> {
    /// The values of a facet this audience may see.
    pub fn facet_values(&self, facet: Facet) -> Vec<&str> {
        match facet {
            Facet::Theme => self.themes.iter().map(String::as_str).collect(),
            Facet::Community => self.communities.iter().map(String::as_str).collect(),
            Facet::Language => self.languages.iter().map(String::as_str).collect(),
            Facet::Membership => self.membership.into_iter().collect(),
            Facet::Nation => vec![self.organisation.nation.as_str()],
        }
    }
}

fn shown_if(visible: bool, values: &[String]) -> &[String] {
    if visible {
        values
    } else {
        &[]
    }
}

impl Precision {
    /// Where `audience` sees a location at `real` with this precision: the real point, the centre of its
    /// ~2 km cell, or nowhere. The one rule for every answer about a location, searched or read.
    pub fn seen_at(self, audience: Audience, real: Coordinates) -> Option<Coordinates> {
        match (audience, self) {
            (Audience::Privileged, _) | (_, Precision::Exact) => Some(real),
            (_, Precision::Area) => {
                let (latitude, longitude) = coarse_point(real.latitude, real.longitude);
                Some(Coordinates { latitude, longitude })
            }
            (_, Precision::Hidden) => None,
        }
    }
}

impl Location {
    /// Where `audience` sees this location, if at all.
    fn seen_by(&self, audience: Audience) -> Option<VisibleLocation<'_>> {
        Some(VisibleLocation {
            location: self,
            coordinates: self.precision.seen_at(audience, self.coordinates)?,
        })
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::{Coordinates, FieldVisibility, Location, Organisation, Precision};
    use crate::area::coarse_point;
    use crate::audience::{Audience, Visibility};

    /// A small organisation for tests, with no themes or communities; change what a test needs.
    pub(crate) fn organisation(id: &str, name: &str, description: &str) -> Organisation {
        Organisation {
            id: id.to_string(),
            name: name.to_string(),
            description: description.to_string(),
            themes: Vec::new(),
            communities: Vec::new(),
            languages: vec!["ti".to_string()],
            membership: Some("member".to_string()),
            nation: "England".to_string(),
            locations: vec![Location {
                id: format!("{id}-l1"),
                town: "Sheffield".to_string(),
                coordinates: Coordinates::new(53.38297, -1.4659),
                precision: Precision::Exact,
            }],
            visibility: FieldVisibility {
                profile: Visibility::Public,
                contact: Visibility::Public,
                locations: Visibility::Public,
                membership: Visibility::Public,
            },
        }
    }

    #[test]
    fn an_area_location_is_seen_at_its_cell_centre_except_by_administrators() {
        let mut org = organisation("a", "Sheffield Eritrean Community", "");
        org.locations[0].precision = Precision::Area;
        let real = org.locations[0].coordinates;
        let (latitude, longitude) = coarse_point(real.latitude, real.longitude);
        assert_eq!(
            org.seen_by(Audience::Public).locations[0].coordinates,
            Coordinates { latitude, longitude }
        );
        assert_eq!(
            org.seen_by(Audience::Network).locations[0].coordinates,
            Coordinates { latitude, longitude }
        );
        assert_eq!(org.seen_by(Audience::Privileged).locations[0].coordinates, real);
    }

    #[test]
    fn the_index_orders_places_no_finer_than_the_public_sees_them() {
        let mut north = organisation("a", "North", "");
        let mut south = organisation("b", "South", "");
        south.locations[0].coordinates.latitude -= 0.001;
        assert!(
            south.place_in_order() < north.place_in_order(),
            "exact places keep their order"
        );
        north.locations[0].precision = Precision::Area;
        south.locations[0].precision = Precision::Area;
        assert_eq!(
            south.place_in_order(),
            north.place_in_order(),
            "one cell, one place"
        );
        south.locations[0].precision = Precision::Hidden;
        assert_eq!(south.place_in_order(), u64::MAX);
    }

    #[test]
    fn hidden_locations_and_closed_groups_are_left_out() {
        let mut org = organisation("a", "Sheffield Eritrean Community", "Drop-in on Tuesdays");
        org.themes = vec!["housing".to_string()];
        org.locations[0].precision = Precision::Hidden;
        org.visibility = FieldVisibility {
            profile: Visibility::Network,
            membership: Visibility::Private,
            ..FieldVisibility::default()
        };
        let public = org.seen_by(Audience::Public);
        assert!(public.locations.is_empty() && public.description.is_none() && public.themes.is_empty());
        assert_eq!(public.membership, None);
        let network = org.seen_by(Audience::Network);
        assert!(network.locations.is_empty());
        assert_eq!(network.description, Some("Drop-in on Tuesdays"));
        assert_eq!(network.membership, None);
        let privileged = org.seen_by(Audience::Privileged);
        assert_eq!(privileged.locations.len(), 1);
        assert_eq!(privileged.membership, Some("member"));
    }
}
