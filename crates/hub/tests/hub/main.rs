//! The hub's operations without HTTP: races between writers (two `Hub`s on one database, as
//! two server processes), and reads that must stay bounded however large a repo grows.

mod races;
mod reads;
mod support;
