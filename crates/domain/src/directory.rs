//! The directory as a spreadsheet: reading an organisations file (SIRENE extract, a chamber's
//! list, our own export) and writing our export. No I/O: the caller hands the bytes over.

use std::borrow::Cow;

use serde::Serialize;

use crate::error::FieldError;
use crate::organisation::{EssKind, OrganisationDraft, OrganisationFields, OrganisationKind};
use crate::siret::Siret;
use crate::text::fold;
use crate::Error;

/// The columns of our own export, in order: an import of this header reads every field back.
pub const EXPORT_HEADER: [&str; 9] = [
    "siret",
    "name",
    "kind",
    "ess_kinds",
    "sectors",
    "cities",
    "website",
    "description",
    "labels",
];

/// How list cells (`ess_kinds`, `sectors`, `cities`, `labels`) separate their items.
pub const LIST_SEPARATOR: &str = "|";

/// Turns the bytes of a file into text: UTF-8 (a byte order mark is dropped), or Windows-1252
/// when `charset` names it (or Latin-1, which browsers read as Windows-1252) or when the bytes
/// are not valid UTF-8.
pub fn decode<'a>(bytes: &'a [u8], charset: Option<&str>) -> Cow<'a, str> {
    let latin = charset.is_some_and(|c| {
        matches!(
            c.trim().to_ascii_lowercase().as_str(),
            "windows-1252" | "cp1252" | "iso-8859-1" | "iso-8859-15" | "latin1" | "latin-1" | "us-ascii"
        )
    });
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    if !latin {
        if let Ok(text) = std::str::from_utf8(bytes) {
            return Cow::Borrowed(text);
        }
    }
    let (text, _) = encoding_rs::WINDOWS_1252.decode_without_bom_handling(bytes);
    text
}

/// The delimiter of a file: `;` or `,` (or a tab), whichever the header line holds most of.
pub fn delimiter(text: &str) -> u8 {
    let header = text.lines().next().unwrap_or("");
    let count = |c: char| header.matches(c).count();
    [b';', b',', b'\t']
        .into_iter()
        .max_by_key(|&d| (count(d as char), d == b','))
        .filter(|&d| count(d as char) > 0)
        .unwrap_or(b',')
}

/// The lines of a CSV file after its header, each with the line it starts on (the header is
/// line 1; a quoted cell may hold line breaks). Read one at a time, never all at once.
pub struct CsvLines<'a> {
    text: &'a str,
    reader: csv::Reader<&'a [u8]>,
    record: csv::StringRecord,
    /// Line breaks counted in `text[..counted_to]`.
    breaks: u64,
    counted_to: usize,
}

impl<'a> CsvLines<'a> {
    /// Opens `text` (already decoded) with its detected [`delimiter`]; answers the header's
    /// cells too. An empty file or an unreadable header is refused (field `body`).
    pub fn open(text: &'a str) -> Result<(Vec<String>, Self), Error> {
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(delimiter(text))
            .flexible(true)
            .has_headers(true)
            .from_reader(text.as_bytes());
        let header: Vec<String> = reader
            .headers()
            .map_err(|e| Error::field("body", "invalid", format!("unreadable CSV header: {e}")))?
            .iter()
            .map(str::to_owned)
            .collect();
        if header.iter().all(|h| h.trim().is_empty()) {
            return Err(Error::field("body", "required", "the file is empty"));
        }
        let lines = Self {
            text,
            reader,
            record: csv::StringRecord::new(),
            breaks: 0,
            counted_to: 0,
        };
        Ok((header, lines))
    }

    /// The line (from 1) of the byte at `offset`, skipping a line break the reader left
    /// behind (it stops at the `\r` of `\r\n`).
    fn line_at(&mut self, offset: u64) -> u64 {
        let mut offset = usize::try_from(offset).unwrap_or(usize::MAX).min(self.text.len());
        while self
            .text
            .as_bytes()
            .get(offset)
            .is_some_and(|b| matches!(b, b'\n' | b'\r'))
        {
            offset += 1;
        }
        if offset >= self.counted_to {
            self.breaks += self.text.as_bytes()[self.counted_to..offset]
                .iter()
                .filter(|&&b| b == b'\n')
                .count() as u64;
            self.counted_to = offset;
        }
        self.breaks + 1
    }

    /// The next line: its number and cells, or why it cannot be read.
    #[allow(clippy::should_implement_trait)] // lends its cells: not an Iterator
    pub fn next(&mut self) -> Option<Result<(u64, &csv::StringRecord), RejectedLine>> {
        loop {
            return match self.reader.read_record(&mut self.record) {
                Ok(false) => None,
                Ok(true) if self.record.iter().all(|c| c.trim().is_empty()) => continue,
                Ok(true) => {
                    let start = self.record.position().map_or(0, |p| p.byte());
                    let line = self.line_at(start);
                    Some(Ok((line, &self.record)))
                }
                // After a malformed record the reader goes on with the next one.
                Err(e) => {
                    let start = e.position().map_or(0, |p| p.byte());
                    Some(Err(RejectedLine {
                        line: self.line_at(start),
                        field: "line".into(),
                        reason: format!("unreadable line: {e}"),
                    }))
                }
            };
        }
    }
}

/// A field of an organisation that a column can fill.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Column {
    /// The SIRET.
    Siret,
    /// The name.
    Name,
    /// The kind (`ess_structure`, …).
    Kind,
    /// ESS kinds, separated by `|`.
    EssKinds,
    /// Sectors, separated by `|`.
    Sectors,
    /// A NAF code (SIRENE's main activity), added to the sectors.
    Naf,
    /// Communes served, separated by `|`.
    Cities,
    /// Website.
    Website,
    /// Description.
    Description,
    /// Labels, separated by `|`.
    Labels,
    /// SIRENE's ESS flag (`O`/`N`).
    EssFlag,
}

impl Column {
    /// The name of the field in a mapping and in rejections.
    pub fn field(self) -> &'static str {
        match self {
            Column::Siret => "siret",
            Column::Name => "name",
            Column::Kind => "kind",
            Column::EssKinds => "ess_kinds",
            Column::Sectors => "sectors",
            Column::Naf => "naf",
            Column::Cities => "cities",
            Column::Website => "website",
            Column::Description => "description",
            Column::Labels => "labels",
            Column::EssFlag => "ess",
        }
    }

    const ALL: [Column; 11] = [
        Column::Siret,
        Column::Name,
        Column::Kind,
        Column::EssKinds,
        Column::Sectors,
        Column::Naf,
        Column::Cities,
        Column::Website,
        Column::Description,
        Column::Labels,
        Column::EssFlag,
    ];

    /// Header names recognised for this column, as [`header_key`]s.
    fn aliases(self) -> &'static [&'static str] {
        match self {
            Column::Siret => &["siret", "nsiret", "numerosiret"],
            Column::Name => &[
                "name",
                "nom",
                "denominationunitelegale",
                "raisonsociale",
                "denomination",
            ],
            Column::Kind => &["kind", "type"],
            Column::EssKinds => &["esskinds", "statut", "statuts"],
            Column::Sectors => &["sectors", "secteurs", "secteur"],
            Column::Naf => &["activiteprincipaleetablissement", "naf", "codenaf", "ape", "codeape"],
            Column::Cities => &["cities", "libellecommuneetablissement", "commune", "ville", "communes"],
            Column::Website => &["website", "siteweb", "site", "siteinternet"],
            Column::Description => &["description", "presentation"],
            Column::Labels => &["labels"],
            Column::EssFlag => &["economiesocialesolidaireunitelegale", "ess"],
        }
    }
}

/// A header name compared without case, accents, spaces or punctuation: `N° SIRET` → `nsiret`.
pub fn header_key(name: &str) -> String {
    fold(name).chars().filter(char::is_ascii_alphanumeric).collect()
}

/// Which column of the file holds which field.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ColumnMap {
    columns: Vec<(Column, usize)>,
}

impl ColumnMap {
    /// Reads the header: each field from the column `mapping` names for it
    /// (`name:Raison sociale,siret:N° SIRET`), else from a column of a known name. A file
    /// without a name column, or a mapping naming an unknown field or a missing column, is
    /// refused (field `mapping` or `body`).
    pub fn from_header<'h>(header: impl IntoIterator<Item = &'h str>, mapping: Option<&str>) -> Result<Self, Error> {
        if mapping.is_some_and(|m| m.chars().count() > 2000) {
            return Err(Error::field("mapping", "too_long", "at most 2000 characters"));
        }
        let keys: Vec<String> = header.into_iter().map(header_key).collect();
        let mut columns: Vec<(Column, usize)> = Vec::new();
        for pair in mapping.unwrap_or("").split(',').filter(|p| !p.trim().is_empty()) {
            let (field, name) = pair.split_once(':').ok_or_else(|| {
                Error::field(
                    "mapping",
                    "invalid",
                    "write field:column pairs, such as name:Raison sociale",
                )
            })?;
            let column = Column::ALL
                .into_iter()
                .find(|c| c.field() == field.trim())
                .ok_or_else(|| {
                    Error::field(
                        "mapping",
                        "unknown_field",
                        format!("no field is called {}", field.trim()),
                    )
                })?;
            let index = keys.iter().position(|k| *k == header_key(name)).ok_or_else(|| {
                Error::field(
                    "mapping",
                    "unknown_column",
                    format!("the file has no column {}", name.trim()),
                )
            })?;
            columns.retain(|(c, _)| *c != column);
            columns.push((column, index));
        }
        for column in Column::ALL {
            if columns.iter().any(|(c, _)| *c == column) {
                continue;
            }
            if let Some(index) = keys.iter().position(|k| column.aliases().contains(&k.as_str())) {
                if !columns.iter().any(|(_, i)| *i == index) {
                    columns.push((column, index));
                }
            }
        }
        if !columns.iter().any(|(c, _)| *c == Column::Name) {
            return Err(Error::field(
                "body",
                "missing_column",
                "the file has no name column (name, denominationUniteLegale…; or give mapping=name:<column>)",
            ));
        }
        Ok(Self { columns })
    }

    /// Whether the file has this column.
    pub fn has(&self, column: Column) -> bool {
        self.columns.iter().any(|(c, _)| *c == column)
    }

    /// The row's values, by field.
    pub fn row<'r>(&self, cells: impl IntoIterator<Item = &'r str>) -> ImportRow {
        let cells: Vec<&str> = cells.into_iter().collect();
        let mut row = ImportRow::default();
        for &(column, index) in &self.columns {
            let cell = cells.get(index).map(|c| c.trim()).unwrap_or("");
            // Our export prefixes a cell a spreadsheet would run as a formula with `'`.
            let cell = match cell.strip_prefix('\'') {
                Some(rest) if rest.starts_with(['=', '+', '-', '@']) => rest,
                _ => cell,
            };
            let list = || -> Vec<String> {
                cell.split(LIST_SEPARATOR)
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned)
                    .collect()
            };
            let text = || (!cell.is_empty()).then(|| cell.to_owned());
            match column {
                Column::Siret => row.siret = text(),
                // A name is one line: a spreadsheet cell broken over lines (or holding tabs) is
                // read with its words joined by single spaces, as it would be typed.
                Column::Name => row.name = Some(cell.split_whitespace().collect::<Vec<_>>().join(" ")),
                Column::Kind => row.kind = text(),
                Column::EssKinds => row.ess_kinds = Some(list()),
                Column::Sectors => row.sectors = Some(list()),
                Column::Naf => row.naf = text(),
                Column::Cities => row.cities = Some(list()),
                Column::Website => row.website = Some(text()),
                Column::Description => row.description = Some(cell.to_owned()),
                Column::Labels => row.labels = Some(list()),
                Column::EssFlag => {
                    row.ess_flag = text().map(|f| matches!(fold(&f).as_str(), "o" | "oui" | "y" | "yes" | "true" | "1"))
                }
            }
        }
        row
    }
}

/// One line of an organisations file; `None` where the file has no such column (the stored
/// value then stays as it is).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportRow {
    /// SIRET as typed.
    pub siret: Option<String>,
    /// Name.
    pub name: Option<String>,
    /// Kind as typed.
    pub kind: Option<String>,
    /// ESS kinds as typed.
    pub ess_kinds: Option<Vec<String>>,
    /// Sectors.
    pub sectors: Option<Vec<String>>,
    /// NAF code, added to the sectors.
    pub naf: Option<String>,
    /// Communes served.
    pub cities: Option<Vec<String>>,
    /// Website (`Some(None)`: the column is there and empty).
    pub website: Option<Option<String>>,
    /// Description.
    pub description: Option<String>,
    /// Labels.
    pub labels: Option<Vec<String>>,
    /// SIRENE's ESS flag.
    pub ess_flag: Option<bool>,
}

/// What identifies an organisation in an import: its SIRET, else its name and first commune
/// (the directory keeps no postcode).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ImportKey {
    /// By SIRET (14 digits).
    Siret(String),
    /// By folded name and folded first commune.
    NamePlace(String, String),
}

impl ImportKey {
    /// The key of a stored organisation.
    pub fn of(fields: &OrganisationFields) -> Self {
        match &fields.siret {
            Some(s) => ImportKey::Siret(s.as_str().to_owned()),
            None => ImportKey::NamePlace(
                fold(&fields.name),
                fold(fields.cities.first().map(String::as_str).unwrap_or("")),
            ),
        }
    }
}

impl ImportRow {
    /// The organisation this row describes, over `stored` (the organisation it matches, if
    /// any) or else with `default_kind`: the columns present replace the stored values, the
    /// NAF code joins the sectors, SIRENE's ESS flag chooses between `ess_structure` and
    /// `company` for a new row without a kind. Checked like a single create; each error names
    /// its field.
    pub fn fields(
        &self,
        stored: Option<&OrganisationFields>,
        default_kind: OrganisationKind,
        kind_given: bool,
    ) -> Result<OrganisationFields, Vec<FieldError>> {
        let mut errors: Vec<FieldError> = Vec::new();
        let mut draft = match stored {
            Some(s) => s.to_draft(),
            None => OrganisationDraft {
                kind: Some(match self.ess_flag {
                    Some(false) if !kind_given => OrganisationKind::Company,
                    _ => default_kind,
                }),
                ..Default::default()
            },
        };
        if stored.is_some() && kind_given {
            draft.kind = Some(default_kind);
        }
        if let Some(kind) = &self.kind {
            match OrganisationKind::from_db(&fold(kind).replace(' ', "_")) {
                Some(k) => draft.kind = Some(k),
                None => errors.push(FieldError::new(
                    "kind",
                    "invalid_choice",
                    format!("unknown kind {kind}"),
                )),
            }
        }
        if let Some(name) = &self.name {
            draft.name = name.clone();
        }
        if self.siret.is_some() {
            draft.siret = self.siret.clone();
        }
        if let Some(kinds) = &self.ess_kinds {
            draft.ess_kinds = Vec::new();
            for (i, k) in kinds.iter().enumerate() {
                match EssKind::from_db(&fold(k).replace(' ', "_")) {
                    Some(k) => draft.ess_kinds.push(k),
                    None => errors.push(FieldError::new(
                        format!("ess_kinds[{i}]"),
                        "invalid_choice",
                        format!("unknown ESS kind {k}"),
                    )),
                }
            }
        }
        if let Some(sectors) = &self.sectors {
            draft.sectors = sectors.clone();
        }
        if let Some(naf) = &self.naf {
            if !draft.sectors.iter().any(|s| fold(s) == fold(naf)) {
                draft.sectors.push(naf.clone());
            }
        }
        if let Some(cities) = &self.cities {
            draft.cities = cities.clone();
        }
        if let Some(website) = &self.website {
            draft.website = website.clone();
        }
        if let Some(description) = &self.description {
            draft.description = description.clone();
        }
        if let Some(labels) = &self.labels {
            draft.labels = labels.clone();
        }
        match OrganisationFields::parse(draft) {
            Ok(fields) if errors.is_empty() => Ok(fields),
            Ok(_) => Err(errors),
            Err(Error::Invalid(more)) => {
                errors.extend(more);
                Err(errors)
            }
            Err(Error::Conflict(reason)) => {
                errors.push(FieldError::new("body", "conflict", reason));
                Err(errors)
            }
        }
    }

    /// The key this row is looked up by: its SIRET, else its name and first commune; `None`
    /// for a SIRET that does not parse (its [`ImportRow::fields`] says why).
    pub fn key(&self) -> Option<ImportKey> {
        match &self.siret {
            Some(s) => Siret::parse("siret", s)
                .ok()
                .map(|s| ImportKey::Siret(s.as_str().to_owned())),
            None => Some(ImportKey::NamePlace(
                fold(self.name.as_deref().unwrap_or("")),
                fold(
                    self.cities
                        .as_ref()
                        .and_then(|c| c.first())
                        .map(String::as_str)
                        .unwrap_or(""),
                ),
            )),
        }
    }
}

/// A refused line of an import.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct RejectedLine {
    /// Line of the file (the header is line 1; a quoted cell may span several lines).
    pub line: u64,
    /// The field at fault (`siret`, `name`, `kind`, `ess_kinds[0]`, … or `line`).
    pub field: String,
    /// Why.
    pub reason: String,
}

/// What an import did (or, in a dry run, would do).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[schema(as = ImportReport)]
pub struct ImportReport {
    /// Organisations created.
    pub created: u64,
    /// Organisations changed.
    pub updated: u64,
    /// Organisations matched and left as they were.
    pub unchanged: u64,
    /// Lines refused, with the field and the reason.
    pub rejected: Vec<RejectedLine>,
}

/// One line of our export, in [`EXPORT_HEADER`]'s order.
pub fn export_row(fields: &OrganisationFields) -> [String; 9] {
    let list = |items: &[String]| items.join(LIST_SEPARATOR);
    [
        fields.siret.as_ref().map(|s| s.as_str().to_owned()).unwrap_or_default(),
        fields.name.clone(),
        fields.kind.as_str().to_owned(),
        fields
            .ess_kinds
            .iter()
            .map(|k| k.as_str())
            .collect::<Vec<_>>()
            .join(LIST_SEPARATOR),
        list(&fields.sectors),
        list(&fields.cities),
        fields.website.clone().unwrap_or_default(),
        fields.description.clone(),
        list(&fields.labels),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_1252_is_read_when_named_or_when_the_bytes_are_not_utf8() {
        let latin = b"nom;ville\nR\xe9emploi;Cr\xe9teil\n";
        assert_eq!(decode(latin, None), "nom;ville\nRéemploi;Créteil\n");
        assert_eq!(decode(b"\xef\xbb\xbfnom\n", None), "nom\n");
        assert_eq!(decode("é".as_bytes(), Some("windows-1252")), "Ã©");
        assert_eq!(delimiter("nom;ville,x;y"), b';');
        assert_eq!(delimiter("name,siret"), b',');
    }

    #[test]
    fn lines_are_counted_from_the_header_across_quoted_breaks_and_crlf() {
        for eol in ["\n", "\r\n"] {
            let text = ["name;x", "a;1", "\"b", "c\";2", "", "d;3", ""].join(eol);
            let (_, mut lines) = CsvLines::open(&text).unwrap();
            let mut seen = Vec::new();
            while let Some(Ok((line, record))) = lines.next() {
                seen.push((line, record[0].to_owned()));
            }
            let b = format!("b{eol}c");
            assert_eq!(seen, [(2, "a".to_owned()), (3, b), (6, "d".to_owned())], "{eol:?}");
        }
    }

    #[test]
    fn sirene_names_and_a_mapping_are_matched_without_case_or_accents() {
        let map = ColumnMap::from_header(
            ["SIRET", "denominationUniteLegale", "Libellé commune", "Dénomination"],
            None,
        )
        .unwrap();
        let row = map.row(["732 829 320 00074", "Rejoué", "x", "x"]);
        assert_eq!(row.name.as_deref(), Some("Rejoué"));
        assert_eq!(row.key(), Some(ImportKey::Siret("73282932000074".into())));
        let map = ColumnMap::from_header(
            ["Raison sociale", "N° SIRET"],
            Some("name:Raison sociale,siret:N° SIRET"),
        )
        .unwrap();
        let row = map.row(["Rejoué", "73282932000074"]);
        assert_eq!(row.siret.as_deref(), Some("73282932000074"));
        let err = ColumnMap::from_header(["siret"], None).unwrap_err();
        assert!(matches!(err, Error::Invalid(e) if e[0].field == "body"));
        let err = ColumnMap::from_header(["nom"], Some("nam:nom")).unwrap_err();
        assert!(matches!(err, Error::Invalid(e) if e[0].field == "mapping"));
    }

    #[test]
    fn a_row_is_checked_like_a_create_and_merged_over_the_stored_organisation() {
        let map = ColumnMap::from_header(
            [
                "siret",
                "name",
                "economieSocialeSolidaireUniteLegale",
                "activitePrincipaleEtablissement",
            ],
            None,
        )
        .unwrap();
        let row = map.row(["73282932000075", "", "N", "88.10C"]);
        let errors = row.fields(None, OrganisationKind::EssStructure, false).unwrap_err();
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["name", "siret"]);
        let row = map.row(["73282932000074", "Rejoué", "N", "88.10C"]);
        let created = row.fields(None, OrganisationKind::EssStructure, false).unwrap();
        assert_eq!(created.kind, OrganisationKind::Company);
        assert_eq!(created.sectors, ["88.10C"]);
        let mut stored = created.clone();
        stored.labels = vec!["Lucie".into()];
        let again = row
            .fields(Some(&stored), OrganisationKind::EssStructure, false)
            .unwrap();
        assert_eq!(again, stored);
        assert_eq!(ImportKey::of(&again), ImportKey::Siret("73282932000074".into()));
    }

    #[test]
    fn the_export_reads_back_as_it_was() {
        let fields = OrganisationFields::parse(OrganisationDraft {
            kind: Some(OrganisationKind::EssStructure),
            name: "Rejoué".into(),
            ess_kinds: vec![EssKind::Aci, EssKind::Siae],
            sectors: vec!["jouets".into(), "réemploi".into()],
            cities: vec!["Vitry-sur-Seine".into()],
            website: Some("https://rejoue.org".into()),
            description: "Jouets, livres".into(),
            labels: vec!["Lucie".into()],
            ..Default::default()
        })
        .unwrap();
        let map = ColumnMap::from_header(EXPORT_HEADER, None).unwrap();
        let cells = export_row(&fields);
        let read = map
            .row(cells.iter().map(String::as_str))
            .fields(None, OrganisationKind::Partner, false)
            .unwrap();
        assert_eq!(read, fields);
    }
}
