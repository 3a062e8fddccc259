use super::*;

/// Pupils who learn on a teacher's or a parent's device: a code per class (`class_code`), a
/// short sign-in number per pupil (`pupil_pin`, hashed), and the parent's consent a teacher
/// records before a child learns here (`parent_consent`).
pub struct ClassSignIn;

impl MigrationName for ClassSignIn {
    fn name(&self) -> &str {
        "m20261207_000004_class_sign_in"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for ClassSignIn {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(a("class_code"))
                .col(col("code").string().not_null().primary_key())
                .col(col("unit_id").big_integer().not_null())
                .col(col("class_name").string().not_null())
                .col(col("created_by").big_integer().null())
                .col(col("created_at").timestamp_with_time_zone().not_null())
                .foreign_key(&mut fk("class_code", "unit_id", "org_unit"))
                .foreign_key(&mut fk("class_code", "created_by", "person"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_class_code_unit_class")
                .table(a("class_code"))
                .col(a("unit_id"))
                .col(a("class_name"))
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(a("pupil_pin"))
                .col(col("person_id").big_integer().not_null().primary_key())
                .col(col("pin_hash").string().not_null())
                .col(col("set_by").big_integer().null())
                .col(col("set_at").timestamp_with_time_zone().not_null())
                .foreign_key(&mut fk("pupil_pin", "person_id", "person"))
                .foreign_key(&mut fk("pupil_pin", "set_by", "person"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(a("parent_consent"))
                .col(col("person_id").big_integer().not_null().primary_key())
                .col(col("parent_name").string().not_null())
                .col(col("text").text().not_null())
                .col(col("recorded_by").big_integer().not_null())
                .col(col("at").timestamp_with_time_zone().not_null())
                .foreign_key(&mut fk("parent_consent", "person_id", "person"))
                .foreign_key(&mut fk("parent_consent", "recorded_by", "person"))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in ["parent_consent", "pupil_pin", "class_code"] {
            m.drop_table(Table::drop().table(a(t)).to_owned()).await?;
        }
        Ok(())
    }
}
