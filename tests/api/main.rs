//! Black-box tests of the HTTP API, against SQLite or PostgreSQL (`TEST_DATABASE_URL`).
mod auth;
mod calendars;
mod events;
mod health;
mod mail;
mod meeting_blocks;
mod meetings;
mod members;
mod needs;
mod organisations;
mod page;
mod participants;
mod registrations;
mod series;
mod support;
mod wishes;
