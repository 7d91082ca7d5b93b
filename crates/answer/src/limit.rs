//! A bound on concurrent calls to the chat model. A model endpoint has a capacity (GPU
//! slots, a provider's concurrency quota); past it, requests queue there and every answer
//! slows. Here a call waits a short while for a slot, then gives up as `Unavailable`, which
//! the answerer turns into the extractive answer with a warning: a busy model degrades the
//! answer, it does not fail it or stall it.

use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt;
use policyqa_core::{ChatError, ChatModel, ChatRequest, TextStream};
use tokio::sync::Semaphore;

pub struct LimitedChat {
    inner: Arc<dyn ChatModel>,
    slots: Arc<Semaphore>,
    max: usize,
    wait: Duration,
}

impl LimitedChat {
    /// At most `max` streams at once; a call waits up to `wait` for a slot.
    pub fn new(inner: Arc<dyn ChatModel>, max: usize, wait: Duration) -> Self {
        let max = max.max(1);
        LimitedChat { inner, slots: Arc::new(Semaphore::new(max)), max, wait }
    }

    /// Calls in flight now.
    pub fn in_flight(&self) -> usize {
        self.max - self.slots.available_permits()
    }
}

#[async_trait::async_trait]
impl ChatModel for LimitedChat {
    fn model(&self) -> &str {
        self.inner.model()
    }

    async fn stream(&self, request: &ChatRequest) -> Result<TextStream, ChatError> {
        let permit = match tokio::time::timeout(self.wait, self.slots.clone().acquire_owned()).await {
            Ok(Ok(p)) => p,
            _ => return Err(ChatError::Unavailable(format!("the chat model is busy ({} calls in flight)", self.max))),
        };
        let stream = self.inner.stream(request).await?;
        // The slot is held until the stream is finished or dropped (a client gone midway).
        Ok(Box::pin(stream.map(move |piece| {
            let _held = &permit;
            piece
        })))
    }
}
