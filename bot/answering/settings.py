"""Settings of the answer engine and of the optional LLM."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field, SecretStr


class LLMSettings(BaseModel):
    provider: Literal["openai_like", "ollama", "anthropic"] = Field(
        "openai_like",
        description="Which llama-index LLM to build: openai_like (OpenAI, vLLM, llama.cpp server, LM Studio, "
        "Ollama's /v1), ollama (Ollama's own API; pip install briefbot[ollama]) or anthropic (pip install "
        "briefbot[anthropic]).",
    )
    base_url: str = Field(
        "",
        description="Endpoint, e.g. https://api.openai.com/v1, http://127.0.0.1:8080/v1 or (ollama) "
        "http://127.0.0.1:11434. Empty: no generated answers for openai_like; the provider's default "
        "otherwise.",
    )
    model: str = Field("", description="Model name the endpoint expects.")
    api_key: SecretStr | None = Field(None, description="API key for the endpoint, if it needs one.")
    timeout: float = Field(
        60.0, gt=0, description="Seconds before a generated answer falls back to extractive."
    )
    max_tokens: int = Field(350, ge=32, le=4096, description="Longest generated answer, in tokens.")
    temperature: float = Field(0.1, ge=0.0, le=2.0, description="Sampling temperature.")
    context_window: int = Field(
        0,
        ge=0,
        description="The model's context window in tokens; 0: ask the endpoint (llama.cpp, vLLM, Ollama "
        "report it) or llama-index's table of known models, else 4096.",
    )
    max_passages: int = Field(
        5,
        ge=1,
        le=20,
        description="Most passages shown to the model (fewer when the context window cannot hold them); each "
        "costs prompt time, seconds on a CPU.",
    )
    translate_questions: bool = Field(
        True,
        description="Before reading, translate a question asked in one language (English, Indonesian) into "
        "the other when retrieved passages are in it (one short call): the reader reads each such passage "
        "with both and keeps the better reading.",
    )
    structured: Literal["auto", "json_schema", "json_object", "none"] = Field(
        "auto",
        description="How to ask for JSON: json_schema (OpenAI-style response_format), json_object (with a "
        "schema, llama-cpp-python's form), none (prompt only), auto (try them in that order, remember what "
        "worked).",
    )

    @property
    def configured(self) -> bool:
        """Whether generated answers can run: a base URL, or a provider with a default endpoint."""
        return bool(self.base_url) or self.provider != "openai_like"


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
    max_question_chars: int = Field(
        1000,
        ge=20,
        le=4096,
        description="Longest question accepted (console and Telegram); longer ones get a polite refusal.",
    )
    min_evidence: float | None = Field(
        None,
        description="A plain best-sentence cosine threshold instead of the fitted evidence gate; "
        "None: the fitted gate (bot/answering/evidence.py).",
    )
