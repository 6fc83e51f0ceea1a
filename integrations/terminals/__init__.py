"""Payment-terminal processors' check/pay protocol (QIWI/OSMP; Sber-Online code table). Pure
adapter: no models, no domain apps. See `osmp` for the flow."""

from .client import AnswerError, ProcessorReply, TerminalClient, TransportError, parse_answer
from .osmp import (
    OSMP,
    SBER_ONLINE,
    TABLES,
    CodeTable,
    Outcome,
    RequestError,
    TerminalAnswer,
    TerminalRequest,
    format_sum,
    mask_name,
    parse_request,
    render_answer,
)

__all__ = [
    "OSMP",
    "SBER_ONLINE",
    "TABLES",
    "AnswerError",
    "CodeTable",
    "Outcome",
    "ProcessorReply",
    "RequestError",
    "TerminalAnswer",
    "TerminalClient",
    "TerminalRequest",
    "TransportError",
    "format_sum",
    "mask_name",
    "parse_answer",
    "parse_request",
    "render_answer",
]
