export const id = 473;
export const ids = [473];
export const modules = {

/***/ 473:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

__webpack_require__.r(__webpack_exports__);
/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   InputReader: () => (/* binding */ InputReader)
/* harmony export */ });
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(6760);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_path__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var _kernel_errors_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(2386);


const MAX_INPUT_LENGTH = 65_536;
/** Typed access to raw input strings, with errors that name the input and the accepted values. */
class InputReader {
    get;
    constructor(get) {
        this.get = get;
    }
    string(name, options = {}) {
        const value = (this.get(name) ?? '').trim();
        const maxLength = options.maxLength ?? MAX_INPUT_LENGTH;
        if (value.length > maxLength)
            throw new _kernel_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .InputError */ .dz(name, `the value is ${value.length} characters long; at most ${maxLength} are accepted.`, 'check that the right value or secret is passed.');
        if (value.includes('\0'))
            throw new _kernel_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .InputError */ .dz(name, 'the value contains a NUL byte.', 'remove it.');
        if (!options.multiline && /[\r\n]/.test(value))
            throw new _kernel_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .InputError */ .dz(name, 'the value spans several lines; one line is expected.', 'remove the line breaks.');
        return value;
    }
    /** An absolute path on the host, normalized without a trailing slash; '' when not given. `hint` says what to give instead. */
    absolutePath(name, hint, options = {}) {
        const value = this.string(name, options);
        if (value && !value.startsWith('/'))
            throw new _kernel_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .InputError */ .dz(name, `"${value}" is not an absolute path.`, hint);
        return value ? node_path__WEBPACK_IMPORTED_MODULE_0__.posix.normalize(value).replace(/(.)\/$/, '$1') : '';
    }
    required(name, why) {
        const value = this.string(name, { multiline: true });
        if (!value)
            throw new _kernel_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .InputError */ .dz(name, `is required ${why}.`, `set \`${name}\`.`);
        return value;
    }
    boolean(name) {
        const value = this.string(name).toLowerCase();
        if (['true', 'yes', '1', 'on'].includes(value))
            return true;
        if (['false', 'no', '0', 'off', ''].includes(value))
            return false;
        throw new _kernel_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .InputError */ .dz(name, `"${value}" is not a boolean.`, 'use true or false.');
    }
    integer(name, range) {
        const value = this.string(name);
        if (value === '')
            return undefined;
        if (!/^-?\d+$/.test(value) || Number(value) < range.min || Number(value) > range.max) {
            throw new _kernel_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .InputError */ .dz(name, `"${value}" is not a whole number from ${range.min} to ${range.max}.`, `use a number between ${range.min} and ${range.max}.`);
        }
        return Number(value);
    }
    /** A size in bytes: a whole number with an optional binary unit (K, M, G: 1024, 1024², 1024³), e.g. 256M. */
    byteSize(name, range) {
        const value = this.string(name);
        if (value === '')
            return undefined;
        const match = /^(\d+)\s*([KMG]?)(i?B)?$/i.exec(value);
        const bytes = match ? Number(match[1]) * 1024 ** ['', 'K', 'M', 'G'].indexOf(match[2].toUpperCase()) : Number.NaN;
        if (!(bytes >= range.min && bytes <= range.max)) {
            throw new _kernel_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .InputError */ .dz(name, `"${value}" is not a size from ${sizeText(range.min)} to ${sizeText(range.max)}.`, 'write a whole number with K, M or G (powers of 1024), e.g. 256M.');
        }
        return bytes;
    }
    choice(name, choices) {
        const value = this.string(name);
        if (!choices.includes(value))
            throw new _kernel_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .InputError */ .dz(name, `"${value}" is not one of ${choices.join(', ')}.`, `use one of: ${choices.join(', ')}.`);
        return value;
    }
}
/** 1048576 → 1M: the largest unit that divides the size. */
function sizeText(bytes) {
    for (const [unit, factor] of [
        ['G', 1024 ** 3],
        ['M', 1024 ** 2],
        ['K', 1024]
    ])
        if (bytes % factor === 0)
            return `${bytes / factor}${unit}`;
    return String(bytes);
}


/***/ })

};
