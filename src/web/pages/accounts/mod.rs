//! Pages of accounts: registration, login and logout (`services::accounts::sign_in`).

pub mod sign_in;
