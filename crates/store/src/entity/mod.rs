//! SeaORM entities, one module per table, mirroring the migrations.

pub mod api_token;
pub mod event;
pub mod event_organiser;
pub mod idempotency;
pub mod meeting;
pub mod meeting_block;
pub mod meeting_outcome;
pub mod meeting_preference;
pub mod meeting_slot;
pub mod need;
pub mod need_interest;
pub mod organisation;
pub mod organisation_member;
pub mod organisation_tag;
pub mod outbox;
pub mod programme_item;
pub mod registration;
pub mod registration_history;
pub mod registration_token;
pub mod schedule_draft;
pub mod series;
pub mod stand;
pub mod text;
pub mod user;
pub mod wish;
pub mod wish_decline;
