"""Every sentence the Telegram bot says on its own, in Indonesian and English, kept in one place.

What an answer says comes from the engine, worded by `bot/answer_words.py` (shared with the console); these
are the bot's labels, help and refusals. `pick(lang)` chooses Indonesian
for "id" and English for everything else.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.answer_words import ReasonTexts
from bot.answering.types import Failed, InvalidQuestion


@dataclass(frozen=True)
class Texts(ReasonTexts):
    sources: str
    closest: str
    as_of: str
    show_passages: str
    passages_title: str
    passages_gone: str
    thanks_vote: str
    busy: str
    rate_limited: str
    not_allowed: str
    apology: str
    not_text: str
    reading: str
    translating: str


EN = Texts(
    sources="Sources",
    closest="Closest briefs",
    as_of="As of",
    show_passages="Show passages",
    passages_title="Supporting passages",
    passages_gone="That answer is too old for me to show its passages; please ask again.",
    thanks_vote="Thanks, your vote was recorded.",
    busy="Still working on your last question; I'll answer it first.",
    rate_limited="You're asking faster than I can keep up. Please try again in {seconds} s.",
    not_allowed="Sorry, this bot is private and you're not on its list of users.",
    unavailable="The library is unavailable right now, please try again shortly.",
    not_indexed="The library has not been indexed yet; please try again once an admin has run /reindex.",
    store_failed="The library could not answer right now; the admins can see why in the logs.",
    llm_failed="The language model could not answer right now; the admins can see why in the logs.",
    apology="Sorry, something went wrong on my side while answering. Please try again.",
    empty="Send me a question in words, e.g. “Why did OpenAI leave Scale AI?”",
    too_long="That message is too long for a question ({length} characters). "
    "Please ask in at most {limit} characters.",
    no_words="I can only answer questions written in words, e.g. “What did Telkomsel announce?”",
    not_text="I can only read text messages. Please type your question.",
    reading="⏳ Reading {n} brief{s}…",
    translating="⏳ That draft did not match the briefs; translating their own sentences…",
)

ID = Texts(
    sources="Sumber",
    closest="Ringkasan terdekat",
    as_of="Per",
    show_passages="Tampilkan kutipan",
    passages_title="Kutipan pendukung",
    passages_gone="Jawaban itu sudah terlalu lama untuk ditampilkan kutipannya; silakan tanya lagi.",
    thanks_vote="Terima kasih, suara Anda sudah dicatat.",
    busy="Masih mengerjakan pertanyaan Anda sebelumnya; itu saya jawab dulu.",
    rate_limited="Anda bertanya terlalu cepat. Silakan coba lagi dalam {seconds} detik.",
    not_allowed="Maaf, bot ini privat dan Anda tidak ada dalam daftar penggunanya.",
    unavailable="Perpustakaan sedang tidak tersedia, silakan coba lagi sebentar lagi.",
    not_indexed="Perpustakaan belum diindeks; silakan coba lagi setelah admin menjalankan /reindex.",
    store_failed="Perpustakaan tidak dapat menjawab saat ini; admin dapat melihat sebabnya di log.",
    llm_failed="Model bahasa tidak dapat menjawab saat ini; admin dapat melihat sebabnya di log.",
    apology="Maaf, terjadi kesalahan di pihak saya saat menjawab. Silakan coba lagi.",
    empty="Kirimkan pertanyaan dalam bentuk kata, mis. “Mengapa OpenAI meninggalkan Scale AI?”",
    too_long="Pesan itu terlalu panjang untuk sebuah pertanyaan ({length} karakter). "
    "Silakan bertanya dalam paling banyak {limit} karakter.",
    no_words="Saya hanya bisa menjawab pertanyaan berupa kata, mis. “Apa yang diumumkan Telkomsel?”",
    not_text="Saya hanya bisa membaca pesan teks. Silakan ketik pertanyaan Anda.",
    reading="⏳ Membaca {n} brief…",
    translating="⏳ Draf itu tidak cocok dengan brief; menerjemahkan kalimat brief…",
)


def pick(lang: str | None) -> Texts:
    return ID if lang == "id" else EN


def both(attribute: str) -> str:
    """The English and Indonesian versions of one text, for replies sent before a language is known."""
    return f"{getattr(EN, attribute)}\n{getattr(ID, attribute)}"


def refusal(outcome: InvalidQuestion | Failed) -> str:
    """What the asker reads when a question got no answer (both languages); what went wrong in the store
    or the model is in the logs, in English."""
    if isinstance(outcome, InvalidQuestion):
        return both(outcome.reason).format(length=outcome.length, limit=outcome.limit)
    return both(outcome.code)


HELP = """<b>briefbot</b> answers questions about a curated collection of industry news briefs \
(Indonesian and English), with a numbered source for every statement.

<b>How to ask</b>
• In this chat: just type a question, e.g. <i>Why did OpenAI leave Scale AI?</i>
• In a group: <code>/ask your question</code>, mention me, or reply to one of my answers.
• Reply to any message with <code>/ask</code> to use it as context.
• /sources lists the briefs I hold, newest first.
• Under each answer: <i>Show passages</i> reveals the exact quotes; 👍/👎 tells the curators how I did.

<b>briefbot</b> menjawab pertanyaan tentang kumpulan ringkasan berita industri pilihan \
(bahasa Indonesia dan Inggris), dengan sumber bernomor untuk setiap pernyataan.

<b>Cara bertanya</b>
• Di obrolan ini: ketik saja pertanyaan, mis. <i>Mengapa OpenAI meninggalkan Scale AI?</i>
• Di grup: <code>/ask pertanyaan Anda</code>, sebut nama saya, atau balas salah satu jawaban saya.
• Balas pesan apa pun dengan <code>/ask</code> untuk memakainya sebagai konteks.
• /sources menampilkan ringkasan yang saya simpan, terbaru dulu.
• Di bawah setiap jawaban: <i>Tampilkan kutipan</i> membuka kutipan persisnya; 👍/👎 memberi tahu kurator."""

ADMIN_ONLY = "Sorry, only the bot's admins can do that.\nMaaf, hanya admin bot yang bisa melakukan itu."
EMPTY_LIBRARY = "The library holds no briefs yet.\nPerpustakaan belum berisi ringkasan."
SOURCES_HEADER = "Briefs / Ringkasan"
PREVIOUS_PAGE = "‹ Prev"
NEXT_PAGE = "Next ›"


@dataclass(frozen=True)
class AdminTexts:
    """What admins read (/reindex, /stats), in the language their Telegram app is set to."""

    reindex_running: str
    full: str
    incremental: str
    starting: str
    done: str
    failed_run: str
    added: str
    updated: str
    removed: str
    failed: str
    more_failures: str
    library: str
    briefs: str
    chunks: str
    last_indexed: str
    never: str
    model: str
    questions: str
    answered: str
    abstentions: str
    median: str
    feedback: str


_ADMIN = {  # field: (English, Indonesian)
    "reindex_running": (
        "A reindex is already running; I'll post its summary when it ends.",
        "Reindeks sedang berjalan; ringkasannya saya kirim begitu selesai.",
    ),
    "full": ("Full rebuild", "Pembangunan ulang penuh"),
    "incremental": ("Incremental reindex", "Reindeks bertahap"),
    "starting": ("starting", "memulai"),
    "done": ("done", "selesai"),
    "failed_run": ("Reindex failed", "Reindeks gagal"),
    "added": ("Added", "Ditambahkan"),
    "updated": ("Updated", "Diperbarui"),
    "removed": ("Removed", "Dihapus"),
    "failed": ("Failed", "Gagal"),
    "more_failures": (
        "… and {count} more (all of them in the ingest log)",
        "… dan {count} lagi (semuanya ada di log ingest)",
    ),
    "library": ("Library", "Perpustakaan"),
    "briefs": ("Briefs", "Ringkasan"),
    "chunks": ("Chunks", "Potongan"),
    "last_indexed": ("Last indexed", "Terakhir diindeks"),
    "never": ("never", "belum pernah"),
    "model": ("Model", "Model"),
    "questions": ("Questions", "Pertanyaan"),
    "answered": ("Answered", "Dijawab"),
    "abstentions": ("Abstentions", "Tidak dijawab"),
    "median": ("Median answer time", "Median waktu jawab"),
    "feedback": ("Feedback", "Umpan balik"),
}

ADMIN_EN = AdminTexts(**{field: texts[0] for field, texts in _ADMIN.items()})
ADMIN_ID = AdminTexts(**{field: texts[1] for field, texts in _ADMIN.items()})


def admin(language_code: str | None) -> AdminTexts:
    """The admin texts for a Telegram user's app language ("id..." gets Indonesian, anything else English)."""
    return ADMIN_ID if (language_code or "").lower().startswith("id") else ADMIN_EN
