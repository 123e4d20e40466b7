//! A demo network of plausible grassroots organisations placed in real UK towns (weighted by population),
//! made by the search index's generator (`search_index::generate`, the same one its benchmarks use), with
//! the contact details and addresses a directory profile has. Deterministic: the same numbers give the same
//! network.

use deadpool_postgres::Pool;
use search_index::generate::{Generator, Town};
use search_index::Coordinates;
use shared::ApiError;
use uuid::Uuid;

use crate::organisation::{Contact, LocationInput, Membership, OrganisationInput, Precision};
use crate::store;

/// Organisations added per transaction.
const BATCH: usize = 5_000;

/// The UK towns built into the product, as the generator wants them.
pub fn towns() -> Vec<Town> {
    shared::places::all()
        .iter()
        .map(|place| Town {
            name: place.name.clone(),
            coordinates: Coordinates::new(place.latitude, place.longitude),
            population: place.population.max(1),
            nation: place.nation.clone(),
        })
        .collect()
}

/// The organisations numbered `first..first + count` of the demo network, as editors would write them.
pub fn organisations(first: usize, count: usize) -> Vec<OrganisationInput> {
    let mut generator = Generator::new(towns(), first as u64);
    (first..first + count)
        .map(|number| {
            let generated = generator.organisation(number as u64);
            let slug: String = generated
                .name
                .to_lowercase()
                .chars()
                .filter(char::is_ascii_alphanumeric)
                .collect();
            let slug = if slug.is_empty() {
                format!("group{number}")
            } else {
                slug
            };
            OrganisationInput {
                name: generated.name,
                description: generated.description,
                themes: generated.themes,
                communities: generated.communities,
                languages: generated.languages,
                website: Some(format!("https://{slug}.example.org")),
                contact: Contact {
                    name: None,
                    email: Some(format!("hello@{slug}.example.org")),
                    phone: None,
                },
                locations: generated
                    .locations
                    .into_iter()
                    .enumerate()
                    .map(|(index, location)| LocationInput {
                        label: if location.precision == Precision::Exact {
                            "Office".into()
                        } else {
                            "Weekly drop-in".into()
                        },
                        address: Some(format!("{} High Street", 1 + (number * 7 + index) % 200)),
                        postcode: None,
                        town: Some(location.town),
                        latitude: location.coordinates.latitude,
                        longitude: location.coordinates.longitude,
                        precision: location.precision,
                    })
                    .collect(),
                membership: match generated.membership.as_deref() {
                    Some("applicant") => Membership::Applicant,
                    Some("associate") => Membership::Associate,
                    _ => Membership::Member,
                },
                visibility: generated.visibility,
            }
        })
        .collect()
}

/// Adds the organisations numbered `first..first + count`, recorded as created by `actor`; `progress`
/// hears how many are in so far.
pub async fn load(
    pool: &Pool,
    actor: Uuid,
    first: usize,
    count: usize,
    mut progress: impl FnMut(usize),
) -> Result<(), ApiError> {
    let mut done = 0;
    while done < count {
        let batch = organisations(first + done, BATCH.min(count - done));
        let mut client = pool.get().await?;
        let transaction = client.transaction().await?;
        store::create_many(&transaction, actor, &batch).await?;
        transaction.commit().await?;
        done += batch.len();
        progress(done);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn generated_organisations_are_valid_and_deterministic() {
        let network = super::organisations(0, 300);
        for organisation in &network {
            assert_eq!(organisation.clone().validated().unwrap(), *organisation);
        }
        assert_eq!(super::organisations(0, 300), network);
        assert!(
            network.iter().any(|o| !o.name.is_ascii()),
            "some groups use their own script"
        );
    }
}
