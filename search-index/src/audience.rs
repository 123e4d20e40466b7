//! Who is looking, and which field groups each visibility setting opens to them.

use serde::{Deserialize, Serialize};

/// Who a search is made for. Everything the index answers (results, snippets, facet counts, totals,
/// distances) only uses what this audience may see.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Audience {
    /// Anyone, not signed in.
    Public,
    /// Any signed-in member of the network.
    Network,
    /// Administrators: see every field and every location exactly.
    Privileged,
}

impl Audience {
    pub const ALL: [Audience; 3] = [Audience::Public, Audience::Network, Audience::Privileged];

    /// The suffix of this audience's fields in the index schema.
    pub(crate) fn field_suffix(self) -> &'static str {
        match self {
            Audience::Public => "public",
            Audience::Network => "network",
            Audience::Privileged => "all",
        }
    }
}

/// Who may see one group of an organisation's fields.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Visibility {
    /// Anyone, signed in or not.
    Public,
    /// Signed-in people of the network.
    Network,
    /// The organisation's editors and network staff.
    Private,
}

impl Visibility {
    /// Whether `audience` may see a field group with this visibility.
    pub fn allows(self, audience: Audience) -> bool {
        match self {
            Visibility::Public => true,
            Visibility::Network => audience != Audience::Public,
            Visibility::Private => audience == Audience::Privileged,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{Audience, Visibility};

    #[test]
    fn each_visibility_opens_to_the_right_audiences() {
        let allowed = |visibility: Visibility| Audience::ALL.map(|audience| visibility.allows(audience));
        assert_eq!(allowed(Visibility::Public), [true, true, true]);
        assert_eq!(allowed(Visibility::Network), [false, true, true]);
        assert_eq!(allowed(Visibility::Private), [false, false, true]);
    }
}
