"""coordinator: serves a terra game to remote learning agents over TCP (NetSecGame wire protocol).

`wire` frames the stream, `protocol` names requests and answers, `lobby` holds
the rules (seats, episodes, resets), `server` is the asyncio TCP front,
`channel` seats a TCP agent in an ordinary match, `command` is `python src serve`.
"""
