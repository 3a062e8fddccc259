//! Pages of accounts: registration, login and logout (`services::accounts`).

pub mod sign_in;
