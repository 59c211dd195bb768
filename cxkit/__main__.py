from cxkit.cli.main import run

run()
