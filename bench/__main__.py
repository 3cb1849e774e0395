from bench.run import app

app()
