// Runs a CloudFront Functions handler in node: one JSON event per stdin line, one JSON result per stdout line.
'use strict';

var fs = require('fs');
var readline = require('readline');
var vm = require('vm');

var file = process.argv[2];
if (!file) {
    process.stderr.write('usage: node edge_runner.js FUNCTION.js\n');
    process.exit(2);
}

// A fresh context with no `module`, `require` or `process`, like the CloudFront runtime:
// code that leans on node would fail here instead of only after deployment.
// stdout carries the protocol, so the function's console.log goes to stderr.
var sandbox = {
    console: {
        log: function () {
            process.stderr.write(Array.prototype.join.call(arguments, ' ') + '\n');
        }
    }
};
vm.createContext(sandbox);
vm.runInContext(fs.readFileSync(file, 'utf8'), sandbox, { filename: file });
if (typeof sandbox.handler !== 'function') {
    process.stderr.write(file + ' defines no handler(event) function\n');
    process.exit(2);
}

function reply(message) {
    process.stdout.write(JSON.stringify(message) + '\n');
}

readline.createInterface({ input: process.stdin }).on('line', function (line) {
    var message;
    try {
        message = JSON.parse(line);
    } catch (err) {
        reply({ id: null, error: 'not JSON: ' + err.message });
        return;
    }
    Promise.resolve()
        .then(function () { return sandbox.handler(message.event); })
        .then(
            function (result) { reply({ id: message.id, result: result }); },
            function (err) { reply({ id: message.id, error: String((err && err.stack) || err) }); }
        );
});
