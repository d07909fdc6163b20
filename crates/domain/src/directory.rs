//! The directory as a spreadsheet: reading an organisations file (SIRENE extract, a chamber's
//! list, our own export) and writing our export. No I/O: the caller hands the bytes over.

use std::borrow::Cow;
use std::collections::HashMap;
use std::hash::Hash;

use serde::Serialize;

use crate::error::FieldError;
use crate::organisation::{EssKind, OrganisationDraft, OrganisationFields, OrganisationKind};
use crate::register::{self, RegisterEntry, RegisterLookups};
use crate::siret::Siret;
use crate::text::fold;
use crate::Error;

/// The columns of our own export, in order: an import of this header reads every field back.
pub const EXPORT_HEADER: [&str; 10] = [
    "siret",
    "name",
    "kind",
    "ess_kinds",
    "sectors",
    "postcode",
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
    /// The postcode of the address.
    Postcode,
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
            Column::Postcode => "postcode",
            Column::Cities => "cities",
            Column::Website => "website",
            Column::Description => "description",
            Column::Labels => "labels",
            Column::EssFlag => "ess",
        }
    }

    const ALL: [Column; 12] = [
        Column::Siret,
        Column::Name,
        Column::Kind,
        Column::EssKinds,
        Column::Sectors,
        Column::Naf,
        Column::Postcode,
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
            Column::Postcode => &["postcode", "codepostaletablissement", "codepostal", "cp"],
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
                Column::Postcode => row.postcode = Some(text()),
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
    /// Postcode (`Some(None)`: the column is there and empty).
    pub postcode: Option<Option<String>>,
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

/// The organisations an import compares its lines with, each under every key a line may find
/// it by: its SIRET; else its name with its postcode, and its name with its first commune
/// (names and communes folded: accents and case ignored). `T` is what the caller keeps of each
/// (an index into its list, a line number).
#[derive(Debug, Clone)]
pub struct DirectoryIndex<T> {
    by_siret: HashMap<String, T>,
    by_postcode: HashMap<(String, String), T>,
    by_commune: HashMap<(String, String), T>,
    /// Those without postcode, by name and first commune: a line with a postcode falls back
    /// on them (they were imported before they had one), never on another postcode.
    by_commune_without_postcode: HashMap<(String, String), T>,
}

impl<T> Default for DirectoryIndex<T> {
    fn default() -> Self {
        Self {
            by_siret: HashMap::new(),
            by_postcode: HashMap::new(),
            by_commune: HashMap::new(),
            by_commune_without_postcode: HashMap::new(),
        }
    }
}

/// A postcode as compared: without spaces; `None` when empty.
fn postcode_key(postcode: &str) -> Option<String> {
    let code: String = postcode.chars().filter(|c| !c.is_whitespace()).collect();
    (!code.is_empty()).then_some(code)
}

fn first_commune(cities: &[String]) -> String {
    fold(cities.first().map(String::as_str).unwrap_or(""))
}

impl<T: Copy> DirectoryIndex<T> {
    /// Files `value` under the keys of `fields`; the first organisation filed under a key
    /// keeps it.
    pub fn insert(&mut self, fields: &OrganisationFields, value: T) {
        fn keep<K: Eq + Hash, T>(map: &mut HashMap<K, T>, key: K, value: T) {
            map.entry(key).or_insert(value);
        }
        if let Some(siret) = &fields.siret {
            keep(&mut self.by_siret, siret.as_str().to_owned(), value);
            return;
        }
        let name = fold(&fields.name);
        let commune = (name.clone(), first_commune(&fields.cities));
        match fields.postcode.as_deref().and_then(postcode_key) {
            Some(postcode) => keep(&mut self.by_postcode, (name, postcode), value),
            None => keep(&mut self.by_commune_without_postcode, commune.clone(), value),
        }
        keep(&mut self.by_commune, commune, value);
    }

    /// The organisation `row` describes: the one of its SIRET (none for a SIRET that does not
    /// parse: [`ImportRow::fields`] says why); without SIRET, the one of its name and
    /// postcode, else one of its name and first commune that has no postcode; without
    /// postcode, one of its name and first commune.
    pub fn find(&self, row: &ImportRow) -> Option<T> {
        if let Some(siret) = &row.siret {
            let siret = Siret::parse("siret", siret).ok()?;
            return self.by_siret.get(siret.as_str()).copied();
        }
        let name = fold(row.name.as_deref().unwrap_or(""));
        let commune = (name.clone(), first_commune(row.cities.as_deref().unwrap_or(&[])));
        match row.postcode.as_ref().and_then(|p| p.as_deref()).and_then(postcode_key) {
            Some(postcode) => self
                .by_postcode
                .get(&(name, postcode))
                .or_else(|| self.by_commune_without_postcode.get(&commune))
                .copied(),
            None => self.by_commune.get(&commune).copied(),
        }
    }
}

impl ImportRow {
    /// The organisation this row describes, over `stored` (the organisation it matches, if
    /// any) or else with `default_kind`: the columns present replace the stored values, the
    /// NAF code joins the sectors, SIRENE's ESS flag chooses between `ess_structure` and
    /// `company` for a new row without a kind; then what is still missing comes from the
    /// `register`'s entry for its SIRET, if any (the row's ESS flag too). Checked like a
    /// single create; each error names its field.
    pub fn fields(
        &self,
        stored: Option<&OrganisationFields>,
        default_kind: OrganisationKind,
        kind_given: bool,
        register: Option<&RegisterEntry>,
    ) -> Result<OrganisationFields, Vec<FieldError>> {
        let mut errors: Vec<FieldError> = Vec::new();
        let ess_flag = self.ess_flag.or(register.and_then(|r| r.ess));
        let mut draft = match stored {
            Some(s) => s.to_draft(),
            None => OrganisationDraft {
                kind: Some(match ess_flag {
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
        // An empty name cell keeps the stored name (a new organisation without one is refused,
        // unless the register gives it).
        if let Some(name) = self.name.as_ref().filter(|n| !n.is_empty()) {
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
        if let Some(postcode) = &self.postcode {
            draft.postcode = postcode.clone();
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
        if let Some(entry) = register {
            entry.complete(&mut draft);
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

    /// Whether the register could give this row something it lacks: a name, a postcode, a
    /// commune, a NAF code (in its own column or among its sectors), or the ESS flag that
    /// chooses the kind of a new organisation (when neither the row nor `?kind` gives one).
    pub fn lacks(&self, kind_given: bool) -> bool {
        let empty = |cell: &Option<String>| cell.as_deref().is_none_or(|c| c.trim().is_empty());
        empty(&self.name)
            || self.postcode.as_ref().is_none_or(empty)
            || self.cities.as_ref().is_none_or(Vec::is_empty)
            || (empty(&self.naf)
                && !self
                    .sectors
                    .as_ref()
                    .is_some_and(|s| s.iter().any(|s| register::is_naf_code(s))))
            || (self.ess_flag.is_none() && empty(&self.kind) && !kind_given)
    }
}

/// The lines of an import that lack something the register could give (see
/// [`ImportRow::lacks`]) and have a valid SIRET to ask it with: each line and its SIRET, in
/// the file's order. The header is checked as [`ColumnMap::from_header`] does.
pub fn lines_to_look_up(text: &str, mapping: Option<&str>, kind_given: bool) -> Result<Vec<(u64, Siret)>, Error> {
    let (header, mut lines) = CsvLines::open(text)?;
    let columns = ColumnMap::from_header(header.iter().map(String::as_str), mapping)?;
    let mut wanted = Vec::new();
    if !columns.has(Column::Siret) {
        return Ok(wanted);
    }
    while let Some(next) = lines.next() {
        let Ok((line, record)) = next else { continue };
        let row = columns.row(record.iter());
        if !row.lacks(kind_given) {
            continue;
        }
        if let Some(siret) = row.siret.as_deref().and_then(|s| Siret::parse("siret", s).ok()) {
            wanted.push((line, siret));
        }
    }
    Ok(wanted)
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
    /// What the SIRET look-ups in the public company register did (`MATINALE_COMPANY_API_URL`);
    /// absent when the service is off or no line lacked anything it could give.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub company_lookup: Option<RegisterLookups>,
}

/// One line of our export, in [`EXPORT_HEADER`]'s order.
pub fn export_row(fields: &OrganisationFields) -> [String; 10] {
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
        fields.postcode.clone().unwrap_or_default(),
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
        assert_eq!(row.siret.as_deref(), Some("732 829 320 00074"));
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
        let errors = row
            .fields(None, OrganisationKind::EssStructure, false, None)
            .unwrap_err();
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["name", "siret"]);
        let row = map.row(["73282932000074", "Rejoué", "N", "88.10C"]);
        let created = row.fields(None, OrganisationKind::EssStructure, false, None).unwrap();
        assert_eq!(created.kind, OrganisationKind::Company);
        assert_eq!(created.sectors, ["88.10C"]);
        let mut stored = created.clone();
        stored.labels = vec!["Lucie".into()];
        let again = row
            .fields(Some(&stored), OrganisationKind::EssStructure, false, None)
            .unwrap();
        assert_eq!(again, stored);
        let mut index = DirectoryIndex::default();
        index.insert(&again, 7);
        assert_eq!(index.find(&map.row(["732 829 320 00074", "", "", ""])), Some(7));
        assert_eq!(index.find(&map.row(["73282932000075", "Rejoué", "N", ""])), None);
    }

    fn by_name(name: &str, postcode: Option<&str>, commune: &str) -> OrganisationFields {
        OrganisationFields::parse(OrganisationDraft {
            kind: Some(OrganisationKind::Partner),
            name: name.into(),
            postcode: postcode.map(str::to_owned),
            cities: vec![commune.into()],
            ..Default::default()
        })
        .unwrap()
    }

    #[test]
    fn without_siret_a_line_matches_by_name_and_postcode_else_by_name_and_commune() {
        let mut index = DirectoryIndex::default();
        index.insert(&by_name("Amicale", Some("75011"), "Paris"), 1);
        index.insert(&by_name("Amicale", Some("75012"), "Paris"), 2);
        index.insert(&by_name("Régie de quartier", None, "Orly"), 3);
        let map = ColumnMap::from_header(["nom", "code postal", "commune"], None).unwrap();
        let find = |cells: [&str; 3]| index.find(&map.row(cells));
        // The postcode tells two organisations of one name in one commune apart.
        assert_eq!(find(["AMICALE", "75012", "paris"]), Some(2));
        assert_eq!(find(["Amicale", "75 011", "Paris"]), Some(1));
        // Another postcode is another organisation, even in the same commune.
        assert_eq!(find(["Amicale", "75013", "Paris"]), None);
        // One stored without postcode is found by its commune, and a line without postcode
        // finds by commune.
        assert_eq!(find(["Regie de quartier", "94310", "Orly"]), Some(3));
        assert_eq!(find(["Régie de quartier", "", "ORLY"]), Some(3));
        assert_eq!(find(["Régie de quartier", "", "Rungis"]), None);
        let map = ColumnMap::from_header(["nom", "commune"], None).unwrap();
        assert_eq!(index.find(&map.row(["Amicale", "Paris"])), Some(1));
    }

    #[test]
    fn the_register_fills_what_a_line_lacks_and_its_ess_flag_chooses_the_kind() {
        let map = ColumnMap::from_header(["siret", "nom"], None).unwrap();
        let row = map.row(["73282932000074", ""]);
        assert!(row.lacks(false));
        let entry = RegisterEntry {
            name: Some("REJOUE".into()),
            postcode: Some("94400".into()),
            commune: Some("VITRY-SUR-SEINE".into()),
            naf: Some("88.10C".into()),
            ess: Some(false),
            ess_kinds: vec![EssKind::Association],
        };
        let filled = row
            .fields(None, OrganisationKind::EssStructure, false, Some(&entry))
            .unwrap();
        assert_eq!(filled.name, "REJOUE");
        assert_eq!(filled.kind, OrganisationKind::Company);
        assert_eq!(filled.postcode.as_deref(), Some("94400"));
        assert_eq!(filled.cities, ["VITRY-SUR-SEINE"]);
        assert_eq!(filled.sectors, ["88.10C"]);
        let ess = RegisterEntry {
            ess: Some(true),
            ..entry.clone()
        };
        let filled = row
            .fields(None, OrganisationKind::EssStructure, false, Some(&ess))
            .unwrap();
        assert_eq!(filled.ess_kinds, [EssKind::Association]);
        // A stored organisation keeps what it has; the register fills only its gaps.
        let mut stored = by_name("Rejoué", None, "Vitry-sur-Seine");
        stored.siret = Some(Siret::parse("siret", "73282932000074").unwrap());
        let filled = row
            .fields(Some(&stored), OrganisationKind::EssStructure, false, Some(&entry))
            .unwrap();
        assert_eq!(
            (filled.name.as_str(), filled.kind),
            ("Rejoué", OrganisationKind::Partner)
        );
        assert_eq!(filled.cities, ["Vitry-sur-Seine"]);
        assert_eq!(filled.postcode.as_deref(), Some("94400"));

        let text = "siret;nom;code postal;commune;naf;ess\n\
                    73282932000074;Rejoué;94400;Vitry;88.10C;O\n\
                    73282932000074;;94400;Vitry;88.10C;O\n\
                    73282932000074;Rejoué;;Vitry;88.10C;O\n\
                    73282932000075;;;;;\n\
                    ;Sans SIRET;;;;\n";
        let lines: Vec<u64> = lines_to_look_up(text, None, false)
            .unwrap()
            .into_iter()
            .map(|(line, _)| line)
            .collect();
        assert_eq!(
            lines,
            [3, 4],
            "complete lines, bad SIRETs and lines without one are not looked up"
        );
    }

    #[test]
    fn the_export_reads_back_as_it_was() {
        let fields = OrganisationFields::parse(OrganisationDraft {
            kind: Some(OrganisationKind::EssStructure),
            name: "Rejoué".into(),
            ess_kinds: vec![EssKind::Aci, EssKind::Siae],
            sectors: vec!["jouets".into(), "réemploi".into()],
            postcode: Some("94400".into()),
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
            .fields(None, OrganisationKind::Partner, false, None)
            .unwrap();
        assert_eq!(read, fields);
    }
}
