//! `matinale import-organisations FILE [--kind K] [--dry-run]`: the directory import of
//! `POST /organisations/import`, from a file.

use std::path::PathBuf;

use anyhow::Context;
use clap::Args;
use matinale_api::company_register::CompanyRegister;
use matinale_api::Config;
use matinale_domain::organisation::OrganisationKind;
use matinale_store::import::{command_line_actor, ImportRequest};

/// Arguments of `import-organisations`.
#[derive(Args, Debug)]
pub struct ImportArgs {
    /// The CSV file (UTF-8 or Windows-1252, `;` or `,`).
    file: PathBuf,
    /// Kind of the organisations the file gives no kind (default ess_structure).
    #[arg(long)]
    kind: Option<String>,
    /// Report what would be done, write nothing.
    #[arg(long)]
    dry_run: bool,
    /// Columns of other names: `name:Raison sociale,siret:N° SIRET`.
    #[arg(long)]
    mapping: Option<String>,
    /// The organiser or admin the import is made as (default: the first admin).
    #[arg(long = "as")]
    as_email: Option<String>,
    /// The file's charset when it is not UTF-8 (e.g. windows-1252; detected otherwise).
    #[arg(long)]
    charset: Option<String>,
}

/// Runs the import and prints its report as JSON; rejected lines do not make it fail. Lines
/// that lack something are looked up first when `MATINALE_COMPANY_API_URL` is set.
pub async fn run(db: &matinale_store::Store, config: &Config, args: ImportArgs) -> anyhow::Result<()> {
    let kind = match args.kind.as_deref() {
        Some(k) => Some(OrganisationKind::from_db(k).with_context(|| format!("unknown kind {k}"))?),
        None => None,
    };
    let bytes = std::fs::read(&args.file).with_context(|| format!("cannot read {}", args.file.display()))?;
    let text = matinale_domain::directory::decode(&bytes, args.charset.as_deref());
    let actor = command_line_actor(db, args.as_email.as_deref()).await?;
    let request = ImportRequest {
        text: &text,
        mapping: args.mapping.as_deref(),
        kind,
        dry_run: args.dry_run,
        register: None,
    };
    let register = CompanyRegister::from_config(config);
    let report = matinale_api::company_register::import(register.as_ref(), db, &actor, request).await?;
    println!("{}", serde_json::to_string_pretty(&report)?);
    Ok(())
}
