//! One answer as a stream of server-sent events, for every route that streams (`/v1/ask`
//! and the OpenAI-compatible `/v1/chat/completions`): the answer runs in the background, its
//! items (sentences that passed the checks, citations, then the whole answer or the error)
//! are rendered by the route into its own event format, and a client that stops reading is
//! given up on so that no task waits for ever.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::response::sse::{Event, KeepAlive, Sse};
use policyqa_answer::{Answer, AnswerEvent, AskRequest};
use tokio_stream::wrappers::ReceiverStream;

use crate::error::ApiError;
use crate::AppState;

/// What an answer stream carries, in order: the answer's events as they pass the checks,
/// then the authoritative answer or the error.
pub enum StreamItem {
    Event(AnswerEvent),
    Done(Box<Answer>),
    Failed(ApiError),
}

/// How long a stream waits for a client that has stopped reading before it gives up on it:
/// the answer's task then ends instead of waiting on a full buffer for ever.
pub const STALLED_CLIENT: Duration = Duration::from_secs(30);

/// Sends one event; false when the client is gone or has not read for [`STALLED_CLIENT`].
async fn send_or_give_up(out: &tokio::sync::mpsc::Sender<Result<Event, Infallible>>, event: Event) -> bool {
    matches!(tokio::time::timeout(STALLED_CLIENT, out.send(Ok(event))).await, Ok(Ok(())))
}

pub type EventStream = Sse<axum::response::sse::KeepAliveStream<ReceiverStream<Result<Event, Infallible>>>>;

/// Runs one answer in the background: `opening` first, then each item rendered by `render`
/// (an item may become several events or none).
pub fn answer_stream(state: Arc<AppState>, request: AskRequest, opening: Vec<Event>, mut render: impl FnMut(StreamItem) -> Vec<Event> + Send + 'static) -> EventStream {
    let (out, rx) = tokio::sync::mpsc::channel::<Result<Event, Infallible>>(64);
    let active = state.metrics.stream_started();
    tokio::spawn(async move {
        let _active = active;
        for e in opening {
            if !send_or_give_up(&out, e).await {
                return;
            }
        }
        let (tx, mut events) = tokio::sync::mpsc::unbounded_channel::<AnswerEvent>();
        let pipeline = state.pipeline();
        // The answer runs on while a slow client is served; it ends (and closes `events`)
        // whether or not anyone still reads.
        let answering = tokio::spawn(async move {
            let tx = tx;
            pipeline.answerer().ask(&request, Some(&tx)).await
        });
        while let Some(e) = events.recv().await {
            for event in render(StreamItem::Event(e)) {
                if !send_or_give_up(&out, event).await {
                    return;
                }
            }
        }
        let last = match answering.await {
            Ok(Ok(answer)) => {
                state.metrics.answered(&answer);
                StreamItem::Done(Box::new(answer))
            }
            Ok(Err(e)) => StreamItem::Failed(e.into()),
            Err(e) => StreamItem::Failed(ApiError::internal("answering", &e)),
        };
        for event in render(last) {
            if !send_or_give_up(&out, event).await {
                return;
            }
        }
    });
    Sse::new(ReceiverStream::new(rx)).keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
}
