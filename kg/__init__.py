"""infokg: a knowledge graph of China's informatization plans.

The stages, one module each: ingest → plan → segment → recognise → resolve → relate → graph →
export / view / query (README.md, "How it is built"); ``kg`` (kg.cli) runs them.
"""
