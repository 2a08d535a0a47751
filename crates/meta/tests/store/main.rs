//! Store tests, each run against SQLite and PostgreSQL (see `harness`).

mod harness;

mod accounts;
mod audit;
mod catalogue_index;
mod discussions;
mod gating;
mod listing;
mod objects;
mod openness;
mod refs;
mod repos;
mod schema;
mod xet_index;
