//! CSV files that people open in a spreadsheet: a text cell that starts like a formula (`=`, `+`, `-`, `@`,
//! a tab or a carriage return) gets a leading apostrophe, so the spreadsheet shows it as text instead of
//! running it ("CSV injection"). Numbers, negative ones included, are left as they are.

use std::borrow::Cow;

/// `cell`, safe to open in a spreadsheet.
pub fn safe_cell(cell: &str) -> Cow<'_, str> {
    let formula_like = cell.starts_with(['=', '+', '-', '@', '\t', '\r']);
    if formula_like && cell.parse::<f64>().is_err() {
        Cow::Owned(format!("'{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

#[cfg(test)]
mod tests {
    use super::safe_cell;

    #[test]
    fn formulas_become_text_and_numbers_stay_numbers() {
        assert_eq!(
            safe_cell("=HYPERLINK(\"http://evil\")"),
            "'=HYPERLINK(\"http://evil\")"
        );
        assert_eq!(safe_cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(safe_cell("+44 20 7946 0000"), "'+44 20 7946 0000");
        assert_eq!(safe_cell("-1.51217"), "-1.51217");
        assert_eq!(safe_cell("Coventry Refugee Voices"), "Coventry Refugee Voices");
    }
}
