//! A demo network of plausible grassroots organisations placed in real UK towns (weighted by population),
//! so a newcomer sees a living directory on first start. Deterministic: the same count gives the same
//! network.

use deadpool_postgres::Pool;
use shared::places::{self, Place};
use shared::ApiError;
use uuid::Uuid;

use crate::organisation::{
    Contact, FieldVisibility, LocationInput, Membership, OrganisationInput, Precision, Visibility,
};
use crate::store;

/// Themes the network works on (from its own reports).
pub const THEMES: &[&str] = &[
    "housing",
    "legal aid",
    "detention",
    "health access",
    "destitution",
    "youth",
    "women",
    "climate justice",
    "workplace rights",
    "mental health",
    "english classes",
    "arts",
];

/// Communities, with the languages (ISO 639) their groups often work in.
const COMMUNITIES: &[(&str, &[&str])] = &[
    ("Eritrean", &["ti", "ar"]),
    ("Sudanese", &["ar"]),
    ("Syrian", &["ar", "ku"]),
    ("Afghan", &["fa", "ps"]),
    ("Kurdish", &["ku", "fa"]),
    ("Polish", &["pl"]),
    ("Roma", &["rom", "ro", "sk"]),
    ("Somali", &["so"]),
    ("Ukrainian", &["uk", "ru"]),
    ("Latin American", &["es", "pt"]),
    ("Hong Kong", &["yue", "zh"]),
    ("Albanian", &["sq"]),
];

const KINDS: &[&str] = &[
    "Community Association",
    "Refugee Welcome",
    "Migrant Rights Hub",
    "Women's Network",
    "Youth Collective",
    "Solidarity Group",
    "Advice Centre",
    "Drop-in",
];

/// A tiny deterministic generator (SplitMix64), enough to vary demo data without a dependency.
struct Dice(u64);

impl Dice {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// A town chosen with probability proportional to its population.
fn town(dice: &mut Dice, places: &'static [Place], total_population: u64) -> &'static Place {
    let mut target = dice.next() % total_population;
    for place in places {
        if target < place.population {
            return place;
        }
        target -= place.population;
    }
    &places[0]
}

/// The `index`-th organisation of a generated network.
pub fn organisation(dice_seed: u64, index: usize) -> OrganisationInput {
    let places = places::all();
    let total_population = places.iter().map(|p| p.population).sum();
    let mut dice = Dice(dice_seed ^ (index as u64).wrapping_mul(0x2545_F491_4F6C_DD1D));
    let home = town(&mut dice, places, total_population);
    let (community, languages) = *dice.pick(COMMUNITIES);
    let kind = *dice.pick(KINDS);
    // A stride coprime with the number of themes gives distinct themes.
    let first = dice.below(THEMES.len());
    let themes: Vec<String> = (0..2 + dice.below(2))
        .map(|k| THEMES[(first + 5 * k) % THEMES.len()].to_string())
        .collect();
    let precision = match dice.below(10) {
        0 => Precision::Hidden,
        1..=3 => Precision::Area,
        _ => Precision::Exact,
    };
    let jitter = |dice: &mut Dice| (dice.below(2001) as f64 - 1000.0) / 100_000.0;
    let locations = vec![LocationInput {
        label: if precision == Precision::Exact {
            "Office".into()
        } else {
            "Weekly drop-in".into()
        },
        address: Some(format!("{} High Street", 1 + dice.below(200))),
        postcode: None,
        town: Some(home.name.clone()),
        latitude: home.latitude + jitter(&mut dice),
        longitude: home.longitude + jitter(&mut dice),
        precision,
    }];
    let name = format!("{} {community} {kind}", home.name);
    let slug: String = name
        .to_lowercase()
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect();
    OrganisationInput {
        description: format!(
            "A {} group in {} supporting {community} people with {}. We run weekly activities, offer advice and \
             organise together to speak out, connect, grow power and build common ground.",
            if dice.below(2) == 0 { "migrant-led" } else { "refugee-led" },
            home.name,
            themes.join(" and ")
        ),
        name,
        themes,
        communities: vec![community.to_string()],
        languages: languages.iter().map(|l| l.to_string()).chain(["en".to_string()]).collect(),
        website: Some(format!("https://{slug}.example.org")),
        contact: Contact {
            name: None,
            email: Some(format!("hello@{slug}.example.org")),
            phone: None,
        },
        locations,
        membership: *dice.pick(&[Membership::Member, Membership::Member, Membership::Associate, Membership::Applicant]),
        visibility: FieldVisibility {
            contact: if dice.below(3) == 0 { Visibility::Private } else { Visibility::Network },
            ..FieldVisibility::default()
        },
    }
}

/// Organisations added per transaction.
const BATCH: usize = 5_000;

/// Adds `count` generated organisations (numbered from `first`), recorded as created by `actor`;
/// `progress` hears how many are in so far.
pub async fn load(
    pool: &Pool,
    actor: Uuid,
    first: usize,
    count: usize,
    mut progress: impl FnMut(usize),
) -> Result<(), ApiError> {
    let mut done = 0;
    while done < count {
        let batch: Vec<OrganisationInput> = (first + done..first + (done + BATCH).min(count))
            .map(|index| organisation(2017, index))
            .collect();
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
        for index in 0..200 {
            let organisation = super::organisation(1, index);
            assert_eq!(organisation.clone().validated().unwrap(), organisation);
            assert_eq!(super::organisation(1, index), organisation);
        }
    }
}
