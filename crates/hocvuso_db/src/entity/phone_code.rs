//! Table `phone_code`: one-time codes sent by SMS to prove a phone number (registration) or to
//! reset a password; only their hash. Keyed by the phone number, whether or not it has an
//! account, so that limits and answers do not tell who has one.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "phone_code")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub phone: String,
    /// `register` or `reset`.
    pub purpose: String,
    pub code_hash: String,
    pub attempts: i32,
    pub used: bool,
    pub expires_at: DateTimeUtc,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
