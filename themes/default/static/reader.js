/* reader controls: see below */
