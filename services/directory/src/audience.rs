//! Who is looking, and what they may see: each field group by its visibility, and each location by its
//! precision. Everything the directory answers about an organisation passes through `view`.

pub use search_index::Audience;
use search_index::Coordinates;
use shared::accounts::Viewer;

use crate::organisation::{LocationView, Organisation, OrganisationView, Precision, Visibility};

/// How `viewer` sees one organisation: staff and the organisation's editors see everything exactly.
pub fn audience_of(viewer: Option<&Viewer>, edits_this_organisation: bool) -> Audience {
    match viewer {
        None => Audience::Public,
        Some(viewer) if viewer.is_admin() || edits_this_organisation => Audience::Privileged,
        Some(_) => Audience::Network,
    }
}

/// Who `viewer` is to the search index: staff search everything exactly, editors search as the network
/// (their own organisation's private fields are theirs to read, not to search the directory with).
pub fn searching_audience(viewer: Option<&Viewer>) -> Audience {
    audience_of(viewer, false)
}

/// The organisation as `audience` may see it.
pub fn view(organisation: &Organisation, audience: Audience) -> OrganisationView {
    let input = &organisation.input;
    let visibility = input.visibility;
    let mut hidden_fields = Vec::new();
    let mut shown = |group: &'static str, level: Visibility| {
        let sees = level.allows(audience);
        if !sees {
            hidden_fields.push(group);
        }
        sees
    };
    let profile = shown("profile", visibility.profile);
    let contact = shown("contact", visibility.contact);
    let locations = shown("locations", visibility.locations);
    let membership = shown("membership", visibility.membership);
    OrganisationView {
        id: organisation.id,
        name: input.name.clone(),
        description: profile.then(|| input.description.clone()),
        themes: profile.then(|| input.themes.clone()),
        communities: profile.then(|| input.communities.clone()),
        languages: profile.then(|| input.languages.clone()),
        website: input.website.clone().filter(|_| profile),
        contact: contact.then(|| input.contact.clone()),
        locations: locations.then(|| location_views(organisation, audience)),
        membership: membership.then_some(input.membership),
        visibility: (audience == Audience::Privileged).then_some(visibility),
        hidden_fields,
        version: organisation.version,
        updated_at: organisation.updated_at,
    }
}

fn location_views(organisation: &Organisation, audience: Audience) -> Vec<LocationView> {
    organisation
        .input
        .locations
        .iter()
        .zip(&organisation.location_ids)
        .filter_map(|(location, id)| {
            let real = Coordinates::new(location.latitude, location.longitude);
            let seen = location.precision.seen_at(audience, real)?;
            let exact = audience == Audience::Privileged || location.precision == Precision::Exact;
            Some(LocationView {
                id: *id,
                label: location.label.clone(),
                address: location.address.clone().filter(|_| exact),
                postcode: location.postcode.clone().filter(|_| exact),
                town: location.town.clone(),
                latitude: seen.latitude,
                longitude: seen.longitude,
                precision: location.precision,
                approximate: !exact,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::organisation::OrganisationInput;

    fn organisation() -> Organisation {
        let input: OrganisationInput = serde_json::from_value(serde_json::json!({
            "name": "Sheffield Women's Drop-in",
            "description": "A safe space",
            "membership": "member",
            "contact": {"email": "hello@example.org"},
            "visibility": {"profile": "public", "contact": "network", "locations": "public", "membership": "private"},
            "locations": [
                {"label": "drop-in", "address": "1 Safe St", "postcode": "S1 1AA", "latitude": 53.38297, "longitude": -1.4659, "precision": "area"},
                {"label": "office", "latitude": 53.4, "longitude": -1.5, "precision": "exact"},
                {"label": "shelter", "latitude": 53.41, "longitude": -1.45, "precision": "hidden"}
            ]
        }))
        .unwrap();
        let location_ids = input.locations.iter().map(|_| uuid::Uuid::now_v7()).collect();
        Organisation {
            id: uuid::Uuid::now_v7(),
            input,
            location_ids,
            version: 1,
            created_at: time::OffsetDateTime::now_utc(),
            updated_at: time::OffsetDateTime::now_utc(),
        }
    }

    #[test]
    fn the_public_sees_areas_not_addresses_and_never_hidden_places() {
        let view = view(&organisation(), Audience::Public);
        assert_eq!(view.hidden_fields, vec!["contact", "membership"]);
        assert!(view.contact.is_none() && view.membership.is_none() && view.visibility.is_none());
        let locations = view.locations.unwrap();
        assert_eq!(locations.len(), 2);
        assert!(
            locations[0].approximate && locations[0].address.is_none() && locations[0].postcode.is_none()
        );
        assert_ne!(
            (locations[0].latitude, locations[0].longitude),
            (53.38297, -1.4659)
        );
        assert!(!locations[1].approximate);
    }

    #[test]
    fn editors_and_staff_see_everything_exactly() {
        let view = view(&organisation(), Audience::Privileged);
        assert!(view.hidden_fields.is_empty());
        let locations = view.locations.unwrap();
        assert_eq!(locations.len(), 3);
        assert_eq!(locations[0].address.as_deref(), Some("1 Safe St"));
        assert_eq!(
            (locations[0].latitude, locations[0].longitude),
            (53.38297, -1.4659)
        );
    }

    #[test]
    fn members_see_network_fields_but_not_private_ones() {
        let view = view(&organisation(), Audience::Network);
        assert_eq!(view.hidden_fields, vec!["membership"]);
        assert!(view.contact.is_some());
    }
}
