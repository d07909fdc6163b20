//! Black-box tests of the HTTP API, against SQLite or PostgreSQL (`TEST_DATABASE_URL`).

mod auth;
mod events;
mod health;
mod organisations;
mod registrations;
mod series;
mod support;
