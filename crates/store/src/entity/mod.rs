//! SeaORM entities, one module per table, mirroring the migrations.

pub mod api_token;
pub mod event;
pub mod event_organiser;
pub mod need;
pub mod need_interest;
pub mod organisation;
pub mod organisation_member;
pub mod organisation_tag;
pub mod programme_item;
pub mod series;
pub mod stand;
pub mod user;
