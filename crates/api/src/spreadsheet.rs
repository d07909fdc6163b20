//! CSV answers for spreadsheets: registrations, the stewards' meeting sheet, reports.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse};

use crate::error::ApiError;

/// Whether the request asks for CSV (`Accept: text/csv`).
pub fn wanted(req: &HttpRequest) -> bool {
    req.headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/csv"))
}

/// A cell a spreadsheet would run as a formula is prefixed with `'` (CSV injection).
pub fn neutralised(cell: String) -> String {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{cell}")
    } else {
        cell
    }
}

/// `header` then `rows` as a CSV attachment named `<name>.csv`: UTF-8 with a BOM (so that
/// spreadsheets read the accents), every cell [`neutralised`].
pub fn answer<const N: usize>(
    name: &str,
    header: [&str; N],
    rows: impl IntoIterator<Item = [String; N]>,
) -> Result<HttpResponse, ApiError> {
    let mut writer = csv::Writer::from_writer(Vec::from("\u{feff}".as_bytes()));
    let failed = |e: csv::Error| {
        tracing::error!(error = %e, name, "CSV export failed");
        ApiError::Internal
    };
    writer.write_record(header).map_err(failed)?;
    for row in rows {
        writer.write_record(row.map(neutralised)).map_err(failed)?;
    }
    let bytes = writer.into_inner().map_err(|_| ApiError::Internal)?;
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{name}.csv\""),
        ))
        .body(bytes))
}

#[cfg(test)]
mod tests {
    #[test]
    fn formula_cells_are_neutralised() {
        assert_eq!(super::neutralised("=SUM(A1)".into()), "'=SUM(A1)");
        assert_eq!(super::neutralised("@x".into()), "'@x");
        assert_eq!(super::neutralised("Éloïse".into()), "Éloïse");
    }
}
