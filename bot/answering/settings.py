"""Settings of the answer engine and of the optional LLM."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field, SecretStr


class LLMSettings(BaseModel):
    base_url: str = Field(
        "",
        description="OpenAI-compatible endpoint, e.g. https://api.openai.com/v1 or http://127.0.0.1:8080/v1. "
        "Empty: no generated answers.",
    )
    model: str = Field("", description="Model name the endpoint expects.")
    api_key: SecretStr | None = Field(None, description="API key for the endpoint, if it needs one.")
    timeout: float = Field(
        60.0, gt=0, description="Seconds before a generated answer falls back to extractive."
    )
    max_tokens: int = Field(350, ge=32, le=4096, description="Longest generated answer, in tokens.")
    temperature: float = Field(0.1, ge=0.0, le=2.0, description="Sampling temperature.")


class AnswerSettings(BaseModel):
    mode: Literal["extractive", "generated"] = Field(
        "extractive", description="generated needs BRIEFBOT_LLM__BASE_URL; extractive needs no LLM."
    )
    max_sentences: int = Field(4, ge=1, le=12, description="Most statements in an extractive answer.")
    passages: int = Field(8, ge=1, le=30, description="Passages retrieved per question.")
    reader: bool = Field(
        True,
        description="Use the bundled reader model to pick passages, sentences and whether to answer; "
        "false: sentence similarity as before (also the fallback when the model cannot load).",
    )
    reader_passages: int = Field(
        5, ge=1, le=30, description="Top retrieved passages the reader reads per question (~50 ms each)."
    )
    min_evidence: float | None = Field(
        None,
        description="A plain best-sentence cosine threshold instead of the fitted evidence gate; "
        "None: the fitted gate (bot/answering/evidence.py).",
    )
