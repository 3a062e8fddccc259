//! The group-commit writer: a batch commits as a whole, refused requests write nothing, and a
//! database error fails every request of its batch and stores none of them.

use hocvuso_db::repo::settings;
use hocvuso_db::{DatabaseTransaction, DbErr};
use hocvuso_test_utils::{test_both, TestBackend};

use super::util::TestApp;
use crate::services::shared::writer::{BatchHandler, Batcher, BoxFuture, WriteError};

/// Stores `key = value` for each request; refuses keys starting with "no"; a key "boom" makes
/// the database fail (a second insert of a primary key that was just written).
struct Settings;

impl BatchHandler for Settings {
    type Request = String;
    type Output = usize;
    type Refusal = &'static str;

    fn handle<'t>(
        &'t self,
        txn: &'t DatabaseTransaction,
        requests: &'t [String],
    ) -> BoxFuture<'t, Result<Vec<Result<usize, &'static str>>, DbErr>> {
        Box::pin(async move {
            let mut out = Vec::new();
            for key in requests {
                if key.starts_with("no") {
                    out.push(Err("refused"));
                    continue;
                }
                settings::set(txn, key, "written").await?;
                if key == "boom" {
                    use hocvuso_db::ConnectionTrait;
                    txn.execute_unprepared("INSERT INTO setting (key, value) VALUES ('boom', 'x')")
                        .await?;
                }
                out.push(Ok(requests.len()));
            }
            Ok(out)
        })
    }
}

async fn batches_commit_whole_and_refusals_write_nothing(b: TestBackend) {
    let Some(app) = TestApp::new(b).await else {
        return;
    };
    let batcher = Batcher::start(app.state.db.clone(), Settings);
    let mut handles = Vec::new();
    for i in 0..60 {
        let batcher = batcher.clone();
        let key = if i % 3 == 0 {
            format!("no-{i}")
        } else {
            format!("yes-{i}")
        };
        handles.push(tokio::spawn(async move {
            (key.clone(), batcher.submit(key).await)
        }));
    }
    let mut largest_batch = 0;
    for h in handles {
        let (key, result) = h.await.unwrap_or_else(|e| panic!("{e}"));
        match result {
            Ok(batch) => {
                assert!(key.starts_with("yes"));
                largest_batch = largest_batch.max(batch);
            }
            Err(WriteError::Refused(_)) => assert!(key.starts_with("no")),
            Err(e) => panic!("{key}: {e}"),
        }
    }
    assert!(largest_batch > 1, "concurrent requests share a transaction");
    for i in 0..60 {
        let stored = settings::get(app.state.db.read(), &format!("yes-{i}"))
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(stored.is_some(), i % 3 != 0, "{i}");
        let refused = settings::get(app.state.db.read(), &format!("no-{i}"))
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(refused.is_none());
    }

    // A database error fails the batch: nothing of it is stored, and every caller hears so.
    let (a, boom) = tokio::join!(
        batcher.submit("with-boom".to_owned()),
        batcher.submit("boom".to_owned())
    );
    assert!(matches!(boom, Err(WriteError::Db(_))), "{boom:?}");
    match a {
        Err(WriteError::Db(_)) => {
            let stored = settings::get(app.state.db.read(), "with-boom")
                .await
                .unwrap_or_else(|e| panic!("{e}"));
            assert!(stored.is_none(), "rolled back with its batch");
        }
        Ok(_) => {} // it ran in an earlier batch of its own
        Err(e) => panic!("{e}"),
    }
    assert!(settings::get(app.state.db.read(), "boom")
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .is_none());
    // The writer goes on after a failed batch.
    assert!(batcher.submit("after".to_owned()).await.is_ok());
}

test_both!(batches_commit_whole_and_refusals_write_nothing);
