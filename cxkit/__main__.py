from cxkit.cli.main import main

main()
