"""Brief text the reader's tests read with the real model."""

from __future__ import annotations

# The project's own sample brief (data/briefs/004-...): one Indonesian passage about OpenAI and Scale AI.
PASSAGE = (
    "OpenAI, pengembang ChatGPT, memastikan akan menghentikan pekerjaannya bersama Scale AI. Kabar ini "
    "muncul sekitar sepekan setelah Meta mengumumkan investasi sekitar US$14,3 miliar untuk menguasai 49% "
    "saham perusahaan penyedia data pelatihan tersebut. Seorang juru bicara OpenAI menyatakan pada Rabu "
    "(18/6) "
    "bahwa proses pengurangan kerja sama sebenarnya sudah berjalan sejak enam hingga 12 bulan lalu, jauh "
    "sebelum rencana investasi Meta terungkap."
)

# Written for the tests (not a sample brief): an English passage, for English questions over English text.
ENGLISH_PASSAGE = (
    "Jason Droege became Scale AI's interim chief executive in June, after the founder Alexandr Wang left to "
    "join Meta. Droege, a former Uber executive, told staff the company would focus on government and "
    "enterprise customers. In July he cut about 14% of the workforce."
)
