"""Three small brief files (front matter, a dateline, plain text) for the ingestion job's tests."""

from __future__ import annotations

BRIEF_FILES = {
    "nikel.md": "---\ntitle: Kuota nikel dipangkas\nsource: Kabar Tambang\npublished: 2025-06-19\n---\n"
    "Pemerintah memangkas kuota penambangan bijih nikel tahun ini untuk menjaga cadangan.\n",
    "bi.txt": "JAKARTA (Reuters) - Bank Indonesia held its benchmark rate on 17 July 2025.\n",
    "telco.txt": "Operator seluler menambah menara 5G di Sumatra dan Kalimantan semester ini.\n",
}
