"""The answer profiles a request's `model` names, as `GET /v1/models` lists them."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from app.approaches.base import Approach
from app.openai_api.errors import ModelNotFoundError
from app.openai_api.responses import ModelCard
from app.services import Services

# When this worker started offering them: OpenAI's `created` is a Unix time.
_STARTED = int(time.time())


@dataclass(frozen=True, slots=True)
class Profile:
    """A model name and the approach that answers under it."""

    id: str
    description: str
    approach: Callable[[Services], Approach]

    def card(self) -> ModelCard:
        """The profile in OpenAI's model shape."""
        return ModelCard(id=self.id, created=_STARTED, description=self.description)


PROFILES = {
    profile.id: profile
    for profile in (
        Profile(
            id="ragchat",
            description=(
                "The conversation is answered from the indexed documents, as on /chat: the last "
                "question is rewritten into a search in the context of the earlier turns, and "
                "the answer cites its sources as [file#page=N]."
            ),
            approach=lambda services: services.chat,
        ),
        Profile(
            id="ragchat-ask",
            description=(
                "The last message alone is answered from the indexed documents, as on /ask; "
                "earlier turns are not used."
            ),
            approach=lambda services: services.ask,
        ),
    )
}


def find_profile(model: str) -> Profile:
    """The profile named `model`, or ModelNotFoundError (404)."""
    try:
        return PROFILES[model]
    except KeyError:
        raise ModelNotFoundError() from None
