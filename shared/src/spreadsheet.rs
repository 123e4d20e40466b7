//! CSV files that people open in a spreadsheet: a text cell that starts like a formula (`=`, `+`, `-`, `@`,
//! a tab or a carriage return) gets a leading apostrophe, so the spreadsheet shows it as text instead of
//! running it ("CSV injection"). Numbers, negative ones included, are left as they are.

use std::borrow::Cow;

use crate::error::ApiError;

/// A CSV document with `header` and `rows`, every cell passed through [`safe_cell`].
pub fn document<R, C>(header: &[&str], rows: impl IntoIterator<Item = R>) -> Result<String, ApiError>
where
    R: IntoIterator<Item = C>,
    C: AsRef<str>,
{
    let failed = |e: csv::Error| ApiError::Internal(format!("writing CSV: {e}"));
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(header).map_err(failed)?;
    for row in rows {
        for cell in row {
            writer
                .write_field(safe_cell(cell.as_ref()).as_bytes())
                .map_err(failed)?;
        }
        writer.write_record(None::<&[u8]>).map_err(failed)?;
    }
    let bytes = writer
        .into_inner()
        .map_err(|e| ApiError::Internal(format!("writing CSV: {e}")))?;
    String::from_utf8(bytes).map_err(|e| ApiError::Internal(e.to_string()))
}

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

    #[test]
    fn documents_make_every_cell_safe() {
        let rows = [["=1+1", "-2.5", "Leeds, \"north\""]];
        let csv = super::document(&["a", "b", "c"], rows).unwrap();
        assert_eq!(csv, "a,b,c\n'=1+1,-2.5,\"Leeds, \"\"north\"\"\"\n");
    }
}
