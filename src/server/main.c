/*
 * main.c — the `basalt` command. The forms below are a contract (README, DESIGN.md §1):
 *
 *   basalt [--data DIR] [-c SQL ...] [-f FILE] [--format table|csv|tsv|json] [--timing]
 *          [--threads N] [--memory SIZE] [--bail]
 *   basalt --connect HOST:PORT [same options]
 *   basalt coordinator --data DIR [--port P] [--http-port P] [--pg-port P]
 *   basalt worker --coordinator HOST:PORT [--port P] [--threads N] [--memory SIZE]
 *   basalt cluster --data DIR --workers N [--port P] [--http-port P] [--pg-port P]
 *
 * Without -c or -f: the interactive shell when stdin is a terminal, otherwise stdin is
 * run as a script. -c and -f may repeat and run in the order given. Exit status: 0 when
 * every statement succeeded, 1 when one failed, 2 for bad usage or a mode that is not
 * supported yet.
 */
#include "server/cli.h"
#include "server/roles.h"

#include "common/alloc.h"
#include "common/buffer.h"
#include "common/config.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct Action {
    bool is_file;
    const char *arg;
} Action;

static void usage(FILE *out)
{
    fprintf(
        out,
        "usage: basalt [--data DIR] [-c SQL ...] [-f FILE] [--format table|csv|tsv|json]\n"
        "              [--timing] [--threads N] [--memory SIZE] [--bail]\n"
        "       basalt --connect HOST:PORT [same options]\n"
        "       basalt coordinator --data DIR [--port P] [--http-port P] [--pg-port P]\n"
        "       basalt worker --coordinator HOST:PORT [--port P] [--threads N] [--memory SIZE]\n"
        "       basalt cluster --data DIR --workers N [--port P] [--http-port P] [--pg-port P]\n"
        "\n"
        "  --data DIR       data directory (default ./basalt-data)\n"
        "  -c SQL           run SQL (may repeat)\n"
        "  -f FILE          run the statements in FILE (may repeat)\n"
        "  --format F       output: table (default), csv, tsv or json\n"
        "  --timing         print the execution time of each statement to stderr\n"
        "  --threads N      worker threads (default: number of CPUs)\n"
        "  --memory SIZE    memory limit per query, e.g. 2GB (default: 80%% of RAM)\n"
        "  --max-recursion N  iterations of a WITH RECURSIVE term before the query fails\n"
        "                   (default: 10000)\n"
        "  --bail           stop at the first failed statement\n");
}

/* Reads a whole file (or stdin for "-") into a heap buffer. */
static char *read_all(const char *path, size_t *len, Error *err)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (!f) {
        error_set(err, SQLSTATE_UNDEFINED_FILE, -1, "could not open file \"%s\": %s", path,
                  strerror(errno));
        return NULL;
    }
    Buffer b;
    buffer_init(&b);
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        buffer_put_bytes(&b, chunk, n);
    bool read_error = ferror(f);
    if (f != stdin) fclose(f);
    if (read_error || !buffer_ok(&b)) {
        error_set(err, SQLSTATE_IO_ERROR, -1, "could not read file \"%s\"", path);
        buffer_free(&b);
        return NULL;
    }
    buffer_terminate(&b);
    if (!buffer_ok(&b)) {
        error_oom(err);
        buffer_free(&b);
        return NULL;
    }
    return (char *)buffer_steal(&b, len);
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "coordinator") == 0)
        return coordinator_main(argc - 1, argv + 1);
    if (argc > 1 && strcmp(argv[1], "worker") == 0) return worker_main(argc - 1, argv + 1);
    if (argc > 1 && strcmp(argv[1], "cluster") == 0) {
        char self[4096];
        ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
        if (n <= 0) {
            fprintf(stderr, "basalt cluster: cannot find this program's path\n");
            return 1;
        }
        self[n] = '\0';
        return cluster_main(argc - 1, argv + 1, self);
    }
    enum {
        OPT_DATA = 256,
        OPT_FORMAT,
        OPT_TIMING,
        OPT_THREADS,
        OPT_MEMORY,
        OPT_MAX_RECURSION,
        OPT_BAIL,
        OPT_CONNECT,
        OPT_VERSION
    };
    static const struct option long_opts[] = {
        {"data", required_argument, NULL, OPT_DATA},
        {"format", required_argument, NULL, OPT_FORMAT},
        {"timing", no_argument, NULL, OPT_TIMING},
        {"threads", required_argument, NULL, OPT_THREADS},
        {"memory", required_argument, NULL, OPT_MEMORY},
        {"max-recursion", required_argument, NULL, OPT_MAX_RECURSION},
        {"bail", no_argument, NULL, OPT_BAIL},
        {"connect", required_argument, NULL, OPT_CONNECT},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, OPT_VERSION},
        {NULL, 0, NULL, 0},
    };
    CliOptions opts = {.format = FORMAT_TABLE, .out = stdout, .diag = stderr};
    EngineConfig config = {.data_dir = "basalt-data"};
    Action *actions = bs_calloc((size_t)argc, sizeof(Action));
    int n_actions = 0;
    const char *connect = NULL;
    Error err = ERROR_INIT;
    if (!actions) return 2;
    int c;
    while ((c = getopt_long(argc, argv, "c:f:d:h", long_opts, NULL)) != -1) {
        int64_t v;
        switch (c) {
        case 'c':
            actions[n_actions++] = (Action){false, optarg};
            break;
        case 'f':
            actions[n_actions++] = (Action){true, optarg};
            break;
        case 'd':
        case OPT_DATA:
            config.data_dir = optarg;
            break;
        case OPT_FORMAT:
            if (!cli_parse_format(optarg, &opts.format)) {
                fprintf(stderr, "basalt: unknown format \"%s\" (table, csv, tsv or json)\n",
                        optarg);
                bs_free(actions);
                return 2;
            }
            break;
        case OPT_TIMING:
            opts.timing = true;
            break;
        case OPT_BAIL:
            opts.bail = true;
            break;
        case OPT_THREADS:
            if (config_parse_count(optarg, CONFIG_MAX_THREADS, &v, &err) != BS_OK) goto bad_value;
            config.threads = (int)v;
            break;
        case OPT_MEMORY:
            if (config_parse_size(optarg, &v, &err) != BS_OK) goto bad_value;
            if (v < (1 << 20)) {
                fprintf(stderr, "basalt: --memory must be at least 1MB\n");
                bs_free(actions);
                return 2;
            }
            config.memory_limit = v;
            break;
        case OPT_MAX_RECURSION:
            if (config_parse_count(optarg, CONFIG_MAX_RECURSION, &v, &err) != BS_OK) goto bad_value;
            config.max_recursion = v;
            break;
        case OPT_CONNECT:
            connect = optarg;
            break;
        case OPT_VERSION:
            printf("basalt %s\n", BASALT_VERSION_STRING);
            bs_free(actions);
            return 0;
        case 'h':
            usage(stdout);
            bs_free(actions);
            return 0;
        default:
            usage(stderr);
            bs_free(actions);
            return 2;
        }
        continue;
    bad_value:
        fprintf(stderr, "basalt: %s\n", err.message);
        error_clear(&err);
        bs_free(actions);
        return 2;
    }
    if (optind < argc) {
        fprintf(stderr, "basalt: unexpected argument \"%s\"\n", argv[optind]);
        usage(stderr);
        bs_free(actions);
        return 2;
    }
    Engine *engine = NULL;
    CliBackend *backend;
    if (connect) {
        /* The coordinator owns the data; --data, --threads and --memory are its own. */
        backend = cli_backend_connect(connect, &err);
    } else if (engine_open(&config, &engine, &err) != BS_OK) {
        backend = NULL;
    } else {
        backend = cli_backend_embedded(engine);
        if (!backend) error_oom(&err);
    }
    if (!backend) {
        fprintf(stderr, "basalt: %s\n", err.message);
        error_clear(&err);
        engine_close(engine);
        bs_free(actions);
        return 1;
    }
    cli_install_sigint(backend);
    int status = 0;
    if (n_actions == 0 && isatty(STDIN_FILENO)) {
        status = shell_run(backend, &opts);
    } else {
        if (n_actions == 0) actions[n_actions++] = (Action){true, "-"};
        for (int k = 0; k < n_actions; k++) {
            bool ok;
            if (actions[k].is_file) {
                size_t len;
                char *text = read_all(actions[k].arg, &len, &err);
                if (!text) {
                    fprintf(stderr, "basalt: %s\n", err.message);
                    error_clear(&err);
                    ok = false;
                } else {
                    ok = cli_run_script(backend, &opts, text, len);
                    bs_free(text);
                }
            } else {
                ok = cli_run_script(backend, &opts, actions[k].arg, strlen(actions[k].arg));
            }
            if (!ok) {
                status = 1;
                if (opts.bail) break;
            }
        }
    }
    cli_install_sigint(NULL);
    backend->ops->destroy(backend);
    engine_close(engine);
    bs_free(actions);
    return status;
}
