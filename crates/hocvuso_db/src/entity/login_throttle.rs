//! Table `login_throttle`: failed logins per phone number typed and client (a device cookie's
//! id, else the address), so that a client who guesses locks only itself out, for longer each
//! time (`locks`), and never the account's owner.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "login_throttle")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub key: String,
    /// Tries claimed and not followed by a success (a try is claimed before the password is
    /// checked, so parallel tries count like serial ones).
    pub failures: i32,
    /// How many times this client was locked out (each lock lasts twice the one before).
    pub locks: i32,
    pub locked_until: Option<DateTimeUtc>,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
