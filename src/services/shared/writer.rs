//! Group commit: the one path for the short write transactions that learners make in bursts
//! (starting and submitting quizzes). Requests queue to one writer task per kind, which hands
//! every request waiting at that moment to the kind's [`BatchHandler`] inside ONE database
//! transaction, and answers each request only after that transaction has committed.
//!
//! So a burst of N submissions costs a handful of statements and one commit (one fsync) instead
//! of N transactions, and nothing is acknowledged before it is durable. A handler validates every
//! request before it writes anything, so a refused request writes nothing; a database error
//! fails the whole batch (rolled back, every caller told, none acknowledged).

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use hocvuso_db::{DatabaseTransaction, Db, DbErr, TransactionTrait};

use crate::services::shared::metrics::WriterStats;
use tokio::sync::{mpsc, oneshot};

/// Most requests in one transaction (bounds the time a batch holds the write lock).
const MAX_BATCH: usize = 512;

pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Turns a batch of requests into writes inside one transaction.
pub trait BatchHandler: Send + Sync + 'static {
    type Request: Send + Sync + 'static;
    type Output: Send + 'static;
    /// A request that is refused (and wrote nothing).
    type Refusal: Send + 'static;

    /// One answer per request, in order. `Err` = a database error: the batch is rolled back.
    #[expect(
        clippy::type_complexity,
        reason = "a batch of results, or the batch's failure"
    )]
    fn handle<'t>(
        &'t self,
        txn: &'t DatabaseTransaction,
        requests: &'t [Self::Request],
    ) -> BoxFuture<'t, Result<Vec<Result<Self::Output, Self::Refusal>>, DbErr>>;
}

/// Why a request's result is not known to be stored.
#[derive(Debug, thiserror::Error)]
pub enum WriteError<R> {
    /// Refused by the handler (nothing of it was written).
    #[error("refused")]
    Refused(R),
    /// The database failed; nothing of the request is stored.
    #[error("database: {0}")]
    Db(String),
}

type Reply<H> =
    oneshot::Sender<Result<<H as BatchHandler>::Output, WriteError<<H as BatchHandler>::Refusal>>>;

pub struct Batcher<H: BatchHandler> {
    queue: mpsc::Sender<(H::Request, Reply<H>)>,
    stats: Arc<WriterStats>,
}

impl<H: BatchHandler> Clone for Batcher<H> {
    fn clone(&self) -> Self {
        Batcher {
            queue: self.queue.clone(),
            stats: self.stats.clone(),
        }
    }
}

impl<H: BatchHandler> Batcher<H> {
    /// Starts the writer task for this handler on the current runtime.
    pub fn start(db: Db, handler: H) -> Self {
        let (tx, rx) = mpsc::channel(8192);
        let stats = Arc::new(WriterStats::default());
        tokio::spawn(run(db, Arc::new(handler), rx, stats.clone()));
        Batcher { queue: tx, stats }
    }

    /// Batch sizes and waits (for `/metrics`).
    pub fn stats(&self) -> &WriterStats {
        &self.stats
    }

    /// Requests waiting for their batch.
    pub fn queued(&self) -> usize {
        self.queue.max_capacity() - self.queue.capacity()
    }

    /// Queues a request; answers once its batch has committed (or failed).
    pub async fn submit(&self, request: H::Request) -> Result<H::Output, WriteError<H::Refusal>> {
        let (tx, rx) = oneshot::channel();
        let started = std::time::Instant::now();
        self.queue
            .send((request, tx))
            .await
            .map_err(|_| WriteError::Db("the writer has stopped".into()))?;
        let answer = rx
            .await
            .map_err(|_| WriteError::Db("the write was abandoned".into()))?;
        self.stats.waited(started.elapsed());
        answer
    }
}

async fn run<H: BatchHandler>(
    db: Db,
    handler: Arc<H>,
    mut rx: mpsc::Receiver<(H::Request, Reply<H>)>,
    stats: Arc<WriterStats>,
) {
    while let Some(first) = rx.recv().await {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(item) => batch.push(item),
                Err(_) => break,
            }
        }
        stats.batch(batch.len());
        let (requests, replies): (Vec<_>, Vec<_>) = batch.into_iter().unzip();
        match write(&db, handler.as_ref(), &requests).await {
            Ok(results) => {
                for (reply, result) in replies.into_iter().zip(results) {
                    let _ = reply.send(result.map_err(WriteError::Refused));
                }
            }
            Err(e) => {
                tracing::error!("group commit of {} requests failed: {e}", requests.len());
                for reply in replies {
                    let _ = reply.send(Err(WriteError::Db(e.to_string())));
                }
            }
        }
    }
}

async fn write<H: BatchHandler>(
    db: &Db,
    handler: &H,
    requests: &[H::Request],
) -> Result<Vec<Result<H::Output, H::Refusal>>, DbErr> {
    let txn = db.write().begin().await?;
    let results = handler.handle(&txn, requests).await?;
    if results.len() != requests.len() {
        return Err(DbErr::Custom(format!(
            "batch handler answered {} of {} requests",
            results.len(),
            requests.len()
        )));
    }
    txn.commit().await?;
    Ok(results)
}

/// Each id once, in order: the keys a batch looks up (several requests may name the same one).
pub fn distinct(ids: impl IntoIterator<Item = i64>) -> Vec<i64> {
    ids.into_iter()
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect()
}
